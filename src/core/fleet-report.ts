import { type CheckItem, type CheckStatus, REPORT_STYLE, escapeHtml } from './checklist.js';
import { csvQuote, neutralise } from './csv-output.js';

/**
 * The report of a fleet run: one row per org with its outcome, and per org the items (checklist) or steps (setup)
 * that decided it. Pure: the command hands it the rows, writes the files and links each org's own report.
 */
export type FleetCommand = 'checklist' | 'setup';

export type FleetOrgStatus = 'ok' | 'failed' | 'skipped' | 'not-run';

/** One item or step of an org, as the grid and the CSV show it. */
export type FleetCheck = { id: string; title: string; status: CheckStatus; evidence: string; fix?: string };

/**
 * What a fleet run knows of one org: ok, the work ran and passed; failed, it ran and failed or the org could not be
 * opened; skipped, not run for a reason found before any work (too few API requests left today); not-run, never
 * started (--max-failures).
 */
export type FleetOrgOutcome = {
  /** The org as the list names it. */
  org: string;
  status: FleetOrgStatus;
  orgId?: string;
  name?: string;
  kind?: string;
  instanceUrl?: string;
  writes: number;
  apiCalls: number;
  /** The org's remaining daily API requests when the run began. */
  apiRemaining?: number;
  durationMs: number;
};

export type FleetSummaryOrg = FleetOrgOutcome & {
  /** The first thing that failed, with its fix. */
  firstError?: { name: string; message: string; fix?: string };
  checks: FleetCheck[];
  /** The org's own report, relative to the run's folder. */
  report?: string;
  /** The user CE connects as, for the hand-off sheet. */
  integrationUsername?: string;
};

export type FleetSummary = {
  command: FleetCommand;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  counts: Record<FleetOrgStatus, number> & { total: number };
  writes: number;
  apiCalls: number;
  orgs: FleetSummaryOrg[];
};

const ORG_STATUSES: FleetOrgStatus[] = ['ok', 'failed', 'skipped', 'not-run'];

export function summariseFleet(
  command: FleetCommand,
  orgs: FleetSummaryOrg[],
  times: { startedAt: string; finishedAt: string }
): FleetSummary {
  const counts = Object.fromEntries(ORG_STATUSES.map((s) => [s, 0])) as FleetSummary['counts'];
  for (const org of orgs) counts[org.status] += 1;
  counts.total = orgs.length;
  return {
    command,
    ...times,
    ok: orgs.every((o) => o.status === 'ok'),
    counts,
    writes: orgs.reduce((n, o) => n + o.writes, 0),
    apiCalls: orgs.reduce((n, o) => n + o.apiCalls, 0),
    orgs,
  };
}

/** Checklist items as the fleet shows them (the same ids, titles, statuses, evidence and fixes). */
export function checksOfItems(items: CheckItem[]): FleetCheck[] {
  return items.map(({ id, title, status, evidence, fix }) => ({
    id,
    title,
    status,
    evidence,
    ...(fix ? { fix } : {}),
  }));
}

/** For people: a cell a spreadsheet would run as a formula is neutralised, then quoted. */
const cell = (text: string | number | undefined): string => csvQuote(neutralise(String(text ?? '')));

/** `fleet-items.csv`: one row per org and item (checklist) or step (setup); an org that did not run has one row. */
export function fleetItemsCsv(summary: FleetSummary): string {
  const header = [
    'org',
    'org_name',
    'kind',
    'instance_url',
    'org_status',
    'item',
    'title',
    'status',
    'evidence',
    'fix',
  ];
  const rows: string[] = [header.join(',')];
  for (const o of summary.orgs) {
    const base = [o.org, o.name, o.kind, o.instanceUrl, o.status];
    if (o.checks.length === 0) {
      rows.push([...base, '', '', '', o.firstError?.message, o.firstError?.fix].map(cell).join(','));
      continue;
    }
    for (const c of o.checks) {
      rows.push([...base, c.id, c.title, c.status, c.evidence, c.fix].map(cell).join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}

/**
 * `ce-handoff.csv`: what the CE admin needs to authorize each org, since that stays a person's job in CE (Apps >
 * Integrations > Salesforce): the org's URL, whether "This is a sandbox instance" is on, and the user to log in as.
 */
export function handoffCsv(summary: FleetSummary): string {
  const header = ['org', 'org_name', 'instance_url', 'sandbox_switch', 'integration_username', 'ready'];
  const rows = summary.orgs.map((o) =>
    [
      o.org,
      o.name,
      o.instanceUrl,
      sandboxSwitch(o.kind),
      o.integrationUsername,
      o.status === 'ok' ? 'yes' : `no: ${o.firstError?.message ?? o.status}`,
    ]
      .map(cell)
      .join(',')
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', warn: '!', fail: '✘', skip: '–' };
const RANK: Record<CheckStatus, number> = { skip: 0, pass: 1, warn: 2, fail: 3 };
const ORG_CELL: Record<FleetOrgStatus, CheckStatus> = {
  ok: 'pass',
  failed: 'fail',
  skipped: 'skip',
  'not-run': 'skip',
};

/** A check's column of the grid: a setup step, or a checklist item's group (its id before the first dot). */
function columnOf(summary: FleetSummary, check: FleetCheck): string {
  return summary.command === 'setup' ? check.id : check.id.split('.', 1)[0];
}

/** The grid's columns, in order of first sight. */
function columnsOf(summary: FleetSummary): string[] {
  return [...new Set(summary.orgs.flatMap((o) => o.checks.map((c) => columnOf(summary, c))))];
}

/** "This is a sandbox instance" in CE's connection form: on for every org that is not production. */
function sandboxSwitch(kind: string | undefined): string {
  return kind === undefined ? '' : kind === 'production' ? 'off' : 'on';
}

function gridCell(summary: FleetSummary, org: FleetSummaryOrg, column: string): string {
  const checks = org.checks.filter((c) => columnOf(summary, c) === column);
  if (checks.length === 0) return '<td class="cell none">·</td>';
  const worst = checks.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
  const details = checks.map((c) => `${SYMBOL[c.status]} ${c.title}: ${c.evidence}`).join('\n');
  const label = checks.length === 1 ? SYMBOL[worst.status] : `${SYMBOL[worst.status]} ${checks.length}`;
  return `<td class="cell ${worst.status}" title="${escapeHtml(details)}">${escapeHtml(label)}</td>`;
}

/** One self-contained page: the fleet's verdict, a grid of orgs × items coloured like the checklist, the hand-off. */
export function renderFleetHtml(summary: FleetSummary): string {
  const columns = columnsOf(summary);
  const { counts } = summary;
  const rows = summary.orgs
    .map((o) => {
      const name = o.report ? `<a href="${escapeHtml(o.report)}">${escapeHtml(o.org)}</a>` : escapeHtml(o.org);
      const status = ORG_CELL[o.status];
      const error = o.firstError
        ? `${escapeHtml(o.firstError.message)}${o.firstError.fix ? `<br><code>${escapeHtml(o.firstError.fix)}</code>` : ''}`
        : '';
      return `<tr data-org="${escapeHtml(o.org)}" data-status="${o.status}"><th scope="row">${name}<div class="meta">${escapeHtml(o.name ?? '')}${o.kind ? ` · ${escapeHtml(o.kind)}` : ''}</div></th><td class="status ${status}">${SYMBOL[status]} ${escapeHtml(o.status)}</td>${columns.map((c) => gridCell(summary, o, c)).join('')}<td class="num">${o.writes}</td><td class="num">${o.apiCalls}</td><td>${error}</td></tr>`;
    })
    .join('\n');
  const handoff = summary.orgs
    .map(
      (o) =>
        `<tr><td>${escapeHtml(o.org)}</td><td>${escapeHtml(o.instanceUrl ?? '')}</td><td>${sandboxSwitch(o.kind)}</td><td>${escapeHtml(o.integrationUsername ?? '')}</td></tr>`
    )
    .join('\n');
  const verdict = summary.ok
    ? `All ${counts.total} org(s) pass`
    : `${counts.failed} failed, ${counts.skipped} skipped, ${counts['not-run']} not run of ${counts.total} org(s)`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CE ⇄ Salesforce fleet ${escapeHtml(summary.command)}</title>
<style>${REPORT_STYLE}
main { max-width: none; }
.grid th, .grid td { padding: 6px 10px; width: auto; }
.grid thead th { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; vertical-align: bottom; }
.grid thead th.h { writing-mode: horizontal-tb; transform: none; }
.grid tbody th { font-weight: 600; white-space: nowrap; text-transform: none; letter-spacing: normal; font-size: 15px; color: inherit; }
.grid tbody th .meta { font-weight: 400; font-size: 13px; }
.grid td.status { width: 7em; }
.cell { text-align: center; font-weight: 700; white-space: nowrap; }
.cell.pass { color: var(--pass); background: #ebf7e6; } .cell.warn { color: var(--warn); background: #fef1e0; }
.cell.fail { color: var(--fail); background: #feded8; } .cell.skip, .cell.none { color: var(--skip); }
.num { text-align: right; } table.grid { table-layout: auto; } .grid td:last-child { min-width: 18em; }
.handoff th, .handoff td:first-child { width: auto; white-space: nowrap; }
</style>
</head>
<body>
<main>
<header>
<h1>Customer Education ⇄ Salesforce: fleet ${escapeHtml(summary.command)}</h1>
<p class="meta">${counts.total} org(s) · ${escapeHtml(summary.startedAt)} – ${escapeHtml(summary.finishedAt)} · ${summary.writes} write(s), ${summary.apiCalls} API call(s)</p>
<p class="verdict ${summary.ok ? 'ok' : 'bad'}">${escapeHtml(verdict)}</p>
</header>
<section aria-labelledby="orgs">
<h2 id="orgs">Orgs</h2>
<table class="grid">
<thead><tr><th scope="col" class="h">Org</th><th scope="col" class="h">Status</th>${columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}<th scope="col" class="h">Writes</th><th scope="col" class="h">API calls</th><th scope="col" class="h">First error and fix</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>
<section aria-labelledby="handoff">
<h2 id="handoff">For the CE admin: authorize each org (Apps &gt; Integrations &gt; Salesforce)</h2>
<table class="handoff">
<thead><tr><th scope="col">Org</th><th scope="col">Salesforce URL</th><th scope="col">"This is a sandbox instance"</th><th scope="col">Log in as</th></tr></thead>
<tbody>
${handoff}
</tbody>
</table>
</section>
<footer>Generated by ce-connect. Hover a cell for its items; each org's name links to its own report.</footer>
</main>
</body>
</html>
`;
}
