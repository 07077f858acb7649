/**
 * The verification checklist: the vendor's items plus ours, each with the evidence read from the org.
 * Pure: checks are run by src/org/, and this module only models, summarises and renders them.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckItem = {
  /** Stable id, e.g. "packages.northpass", usable in CI to pick an item out of the `--json` result. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was seen in the org that decided the status. */
  evidence: string;
  /** The command or setting that fixes a failing or warning item. */
  fix?: string;
};

export type ChecklistSection = { title: string; items: CheckItem[] };

export type ChecklistReport = {
  org: { name: string; instanceUrl: string; kind: string };
  generatedAt: string;
  sections: ChecklistSection[];
  summary: Record<CheckStatus, number> & { total: number; ok: boolean };
  apiCalls?: number;
};

export function summarise(sections: ChecklistSection[]): ChecklistReport['summary'] {
  const summary = { pass: 0, warn: 0, fail: 0, skip: 0, total: 0, ok: true };
  for (const item of sections.flatMap((section) => section.items)) {
    summary[item.status] += 1;
    summary.total += 1;
  }
  summary.ok = summary.fail === 0;
  return summary;
}

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', warn: '!', fail: '✘', skip: '–' };
const WORD: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** Rows for a terminal table. */
export function tableRows(report: ChecklistReport): Array<Record<string, string>> {
  return report.sections.flatMap((section) =>
    section.items.map((item) => ({
      status: `${SYMBOL[item.status]} ${WORD[item.status]}`,
      item: item.title,
      evidence: item.evidence,
      fix: item.fix ?? '',
    }))
  );
}

/**
 * A table cell: text from the org (names, error messages) is escaped so that a Markdown viewer shows it rather than
 * rendering it as HTML or breaking the table; line breaks become the one tag the report adds itself.
 */
function mdCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

function headline(report: ChecklistReport): string {
  const { summary } = report;
  const verdict = summary.ok ? 'All required items pass' : `${summary.fail} item(s) fail`;
  return `${verdict}: ${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail, ${summary.skip} skipped.`;
}

/** Markdown, for pasting into a ticket or a pull request. */
export function renderMarkdown(report: ChecklistReport): string {
  const lines = [
    `# Customer Education ⇄ Salesforce checklist`,
    '',
    `Org: **${mdCell(report.org.name)}** (${report.org.kind}, ${report.org.instanceUrl}) · checked ${report.generatedAt}`,
    '',
    headline(report),
    '',
  ];
  for (const section of report.sections) {
    lines.push(`## ${section.title}`, '', '| status | item | evidence | fix |', '|---|---|---|---|');
    for (const item of section.items) {
      lines.push(
        `| ${SYMBOL[item.status]} ${WORD[item.status]} | ${mdCell(item.title)} | ${mdCell(item.evidence)} | ${mdCell(item.fix ?? '')} |`
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The reports' one stylesheet: the checklist page and the fleet page look alike. */
export const REPORT_STYLE = `
:root { color-scheme: light; --pass: #2e844a; --warn: #a96404; --fail: #ba0517; --skip: #706e6b; --line: #dddbda; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #181818; background: #f3f3f3; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 24px 48px; }
header { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; margin-bottom: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.meta { color: #444; margin: 0; }
.verdict { margin: 16px 0 0; font-size: 17px; font-weight: 600; }
.verdict.ok { color: var(--pass); } .verdict.bad { color: var(--fail); }
.counts { display: flex; gap: 12px; margin-top: 12px; flex-wrap: wrap; }
.count { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 90px; }
.count b { display: block; font-size: 20px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-bottom: 20px; overflow: hidden; }
h2 { font-size: 16px; margin: 0; padding: 12px 24px; border-bottom: 1px solid var(--line); background: #fafaf9; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th:nth-child(1) { width: 96px; } th:nth-child(2) { width: 30%; } th:nth-child(4) { width: 26%; }
td { overflow-wrap: anywhere; }
th, td { text-align: left; vertical-align: top; padding: 10px 24px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
tr:last-child td { border-bottom: 0; }
.status { white-space: nowrap; font-weight: 700; }
.status.pass { color: var(--pass); } .status.warn { color: var(--warn); } .status.fail { color: var(--fail); } .status.skip { color: var(--skip); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
footer { color: #555; font-size: 13px; }
`;

/** Wraps `backticked` command names in <code> after escaping, so fixes read like commands. */
function richText(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A single self-contained HTML file (no scripts, no external assets) that reads well on screen and in print. */
export function renderHtml(report: ChecklistReport): string {
  const { summary } = report;
  const sections = report.sections
    .map(
      (section) => `<section aria-labelledby="${escapeHtml(slug(section.title))}">
<h2 id="${escapeHtml(slug(section.title))}">${escapeHtml(section.title)}</h2>
<table>
<thead><tr><th scope="col">Status</th><th scope="col">Item</th><th scope="col">Evidence</th><th scope="col">Fix</th></tr></thead>
<tbody>
${section.items
  .map(
    (item) =>
      `<tr data-id="${escapeHtml(item.id)}" data-status="${item.status}"><td class="status ${item.status}">${SYMBOL[item.status]} ${WORD[item.status]}</td><td>${richText(item.title)}</td><td>${richText(item.evidence)}</td><td>${richText(item.fix ?? '')}</td></tr>`
  )
  .join('\n')}
</tbody>
</table>
</section>`
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CE ⇄ Salesforce checklist: ${escapeHtml(report.org.name)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Customer Education ⇄ Salesforce checklist</h1>
<p class="meta">Org <strong>${escapeHtml(report.org.name)}</strong> (${escapeHtml(report.org.kind)}, ${escapeHtml(report.org.instanceUrl)}) · checked ${escapeHtml(report.generatedAt)}</p>
<p class="verdict ${summary.ok ? 'ok' : 'bad'}">${escapeHtml(headline(report))}</p>
<div class="counts">
<div class="count"><b>${summary.pass}</b>pass</div>
<div class="count"><b>${summary.warn}</b>warn</div>
<div class="count"><b>${summary.fail}</b>fail</div>
<div class="count"><b>${summary.skip}</b>skipped</div>
</div>
</header>
${sections}
<footer>Generated by ce-connect${report.apiCalls === undefined ? '' : ` with ${report.apiCalls} API calls`}.</footer>
</main>
</body>
</html>
`;
}

function slug(text: string): string {
  return `section-${text.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}
