import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom } from '../simulator/random.js';

/**
 * A seeded CE export and a Salesforce existing-records file with the shapes a real backfill has: about half the
 * export is new, the rest already in Salesforce (some newer in CE, most the same or older there), some rows before
 * the cutoff, about 1% repeated IDs and 0.1% bad rows, four timestamp styles and quoted course names.
 */
export const COLUMNS = {
  id: 'northpass__External_Id__c',
  ts: 'northpass__Last_Synced_At__c',
};

const HEADER = [
  COLUMNS.id,
  'northpass__Learner_Email__c',
  'northpass__Course_Id__c',
  'northpass__Course_Name__c',
  'northpass__Progress_Percentage__c',
  'northpass__Course_Attempt_Number__c',
  'northpass__Enrollment_Date__c',
  COLUMNS.ts,
].join(',');

const COURSES = [
  'Onboarding',
  '"Admin Basics, Part 1"',
  'Reporting 101',
  '"Security: ""Zero Trust"" in practice"',
  'Flows and Automation',
  'Customer Success Fundamentals',
];

export type GeneratedShape = { exportRows: number; existingRows: number };

const BASE = Date.UTC(2025, 10, 1); // 2025-11-01: about a fifth of the rows fall before the 2025-11-20 cutoff
const SPAN = 100 * 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One of the four accepted styles; all denote the same instant `ms` (date-only is rounded to midnight first). */
function styled(ms: number, r: number): { text: string; ms: number } {
  if (r < 0.7) return { text: iso(ms), ms };
  if (r < 0.8) {
    const local = new Date(ms + 2 * 3_600_000).toISOString().slice(0, 19);
    return { text: `${local}+02:00`, ms: Math.floor(ms / 1000) * 1000 };
  }
  if (r < 0.9) return { text: iso(ms).slice(0, 19).replace('T', ' '), ms: Math.floor(ms / 1000) * 1000 };
  const day = Math.floor(ms / 86_400_000) * 86_400_000;
  return { text: iso(day).slice(0, 10), ms: day };
}

class Writer {
  private fd: number;
  private parts: string[] = [];
  private size = 0;
  public constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  public line(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) this.flush();
  }
  public close(): void {
    this.flush();
    closeSync(this.fd);
  }
  private flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, `${this.parts.join('\n')}\n`);
    this.parts = [];
    this.size = 0;
  }
}

export function generate(exportPath: string, existingPath: string, shape: GeneratedShape, seed = 20251120): void {
  const random = seededRandom(seed);
  const inOrg = Math.floor(shape.exportRows / 2);
  const exportFile = new Writer(exportPath);
  const existingFile = new Writer(existingPath);
  exportFile.line(HEADER);
  existingFile.line(`${COLUMNS.id},Id,${COLUMNS.ts}`);
  const idOf = (n: number): string => `np-${n.toString(36).padStart(7, '0')}-c${n % 97}`;
  let written = 0;
  let existing = 0;
  for (let i = 0; i < shape.exportRows; i++) {
    const r = random();
    // About 1% of rows repeat an earlier ID, with another timestamp.
    const n = r < 0.01 && i > 10 ? Math.floor(random() * i) : i;
    const id = idOf(n);
    const ce = BASE + Math.floor(random() * SPAN);
    const ts = styled(ce, random());
    if (n === i && i < inOrg * 2 && i % 2 === 0 && existing < shape.existingRows) {
      // In Salesforce: 30% older there (CE is newer), 50% the same, 20% newer there.
      const k = random();
      const sf = k < 0.3 ? ts.ms - 86_400_000 : k < 0.8 ? ts.ms : ts.ms + 3_600_000;
      existingFile.line(`${id},a0X${n.toString(36).padStart(12, '0')},${random() < 0.01 ? '' : iso(sf)}`);
      existing++;
    }
    const course = COURSES[n % COURSES.length];
    const bad = random();
    let line: string;
    if (bad < 0.0004) line = `,learner${n}@example.com,C${n % 97},${course},50,1,2025-09-01,${ts.text}`;
    else if (bad < 0.0008) line = `${id},learner${n}@example.com,C${n % 97},${course},50,1,2025-09-01,not a date`;
    else if (bad < 0.001) line = `${id},learner${n}@example.com,C${n % 97}`;
    else {
      const progress = Math.floor(random() * 101);
      line = `${id},learner${n}@example.com,C${n % 97},${course},${progress},${1 + (n % 3)},2025-09-01,${ts.text}`;
    }
    exportFile.line(line);
    written++;
  }
  // Salesforce also holds records the export does not mention.
  for (let j = 0; existing < shape.existingRows; j++, existing++) {
    existingFile.line(
      `${idOf(shape.exportRows + j)},a0Y${j.toString(36).padStart(12, '0')},${iso(BASE + Math.floor(random() * SPAN))}`
    );
  }
  exportFile.close();
  existingFile.close();
  if (written !== shape.exportRows) throw new Error('generator miscounted');
}
