import { parse } from 'csv-parse/sync';
import {
  type FleetSummaryOrg,
  fleetItemsCsv,
  handoffCsv,
  renderFleetHtml,
  summariseFleet,
} from '../../src/core/fleet-report.js';

const TIMES = { startedAt: '2026-12-07T10:00:00.000Z', finishedAt: '2026-12-07T10:01:00.000Z' };

const prod: FleetSummaryOrg = {
  org: 'acme-prod',
  status: 'ok',
  orgId: '00D000000000001AAA',
  name: 'Acme',
  kind: 'production',
  instanceUrl: 'https://acme.my.salesforce.com',
  writes: 0,
  apiCalls: 24,
  durationMs: 1200,
  checks: [
    { id: 'packages.northpass', title: 'Northpass 2.1', status: 'pass', evidence: '2.1.0 installed' },
    { id: 'layouts.Contact-A', title: 'Layout A', status: 'pass', evidence: 'present' },
    { id: 'layouts.Contact-B', title: 'Layout B', status: 'warn', evidence: 'columns differ' },
  ],
  report: 'orgs/acme-prod/checklist.html',
  integrationUsername: 'ce-integration@acme.example',
};

const sandbox: FleetSummaryOrg = {
  org: 'acme-uat',
  status: 'failed',
  name: 'Acme <UAT>',
  kind: 'sandbox',
  instanceUrl: 'https://acme--uat.sandbox.my.salesforce.com',
  writes: 0,
  apiCalls: 3,
  durationMs: 300,
  firstError: { name: 'X', message: '=HYPERLINK("http://evil")', fix: 'sf org login web --alias acme-uat' },
  checks: [{ id: 'packages.northpass', title: 'Northpass 2.1', status: 'fail', evidence: '2.0.1' }],
};

const gone: FleetSummaryOrg = {
  org: 'old',
  status: 'failed',
  writes: 0,
  apiCalls: 0,
  durationMs: 10,
  firstError: { name: 'OrgNotKnown', message: 'The sf CLI has no login for old.', fix: 'sf org login web --alias old' },
  checks: [],
};

describe('the report of a fleet run', () => {
  const summary = summariseFleet('checklist', [prod, sandbox, gone], TIMES);

  it('counts the orgs, writes and calls, and fails when any org does not pass', () => {
    expect(summary).toMatchObject({
      ok: false,
      counts: { ok: 1, failed: 2, skipped: 0, 'not-run': 0, total: 3 },
      apiCalls: 27,
      writes: 0,
    });
    expect(summariseFleet('checklist', [prod], TIMES).ok).toBe(true);
  });

  it('lists every org and item in fleet-items.csv, neutralising cells a spreadsheet would run', () => {
    const rows = parse(fleetItemsCsv(summary), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.org, r.item, r.status])).toEqual([
      ['acme-prod', 'packages.northpass', 'pass'],
      ['acme-prod', 'layouts.Contact-A', 'pass'],
      ['acme-prod', 'layouts.Contact-B', 'warn'],
      ['acme-uat', 'packages.northpass', 'fail'],
      ['old', '', ''],
    ]);
    expect(rows[4].evidence).toBe('The sf CLI has no login for old.');
    const text = fleetItemsCsv(summariseFleet('checklist', [{ ...gone, org: '=cmd' }], TIMES));
    expect(text).not.toMatch(/(^|,)=cmd/m);
  });

  it('gives the CE admin the URL, the sandbox switch and the user to log in as', () => {
    const rows = parse(handoffCsv(summary), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.org, r.instance_url, r.sandbox_switch, r.integration_username, r.ready])).toEqual([
      ['acme-prod', 'https://acme.my.salesforce.com', 'off', 'ce-integration@acme.example', 'yes'],
      ['acme-uat', 'https://acme--uat.sandbox.my.salesforce.com', 'on', '', 'no: =HYPERLINK("http://evil")'],
      ['old', '', '', '', 'no: The sf CLI has no login for old.'],
    ]);
  });

  it('draws orgs × item groups, coloured by the worst item, each org linked to its own report', () => {
    const html = renderFleetHtml(summary);
    expect(html).toContain('<a href="orgs/acme-prod/checklist.html">acme-prod</a>');
    // Two layouts fold into one "layouts" cell, warned by its worst item.
    expect(html).toMatch(/<td class="cell warn" title="[^"]*Layout B: columns differ[^"]*">! 2<\/td>/);
    expect(html).toContain('<td class="cell fail"');
    expect(html).toContain('Acme &lt;UAT&gt;');
    expect(html).not.toContain('Acme <UAT>');
    expect(html).toContain('2 failed, 0 skipped, 0 not run of 3 org(s)');
    expect(html.match(/<tr data-org=/g)).toHaveLength(3);
  });
});
