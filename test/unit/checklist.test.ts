import {
  type ChecklistReport,
  type ChecklistSection,
  renderHtml,
  renderMarkdown,
  summarise,
  tableRows,
} from '../../src/core/checklist.js';

const sections: ChecklistSection[] = [
  {
    title: 'Packages',
    items: [
      { id: 'packages.northpass', title: 'Northpass ≥ 2.1', status: 'pass', evidence: 'installed 2.1.0.3' },
      {
        id: 'packages.connector',
        title: 'Data Connector ≥ 1.0',
        status: 'fail',
        evidence: 'not installed',
        fix: 'Run `ce-connect packages install -o prod`',
      },
    ],
  },
  {
    title: 'Sync',
    items: [{ id: 'sync.unlinked', title: 'Unlinked <enrollments> | pipes', status: 'warn', evidence: '3 unlinked' }],
  },
];

function report(): ChecklistReport {
  return {
    org: { name: 'Acme & Co', instanceUrl: 'https://acme.my.salesforce.com', kind: 'production' },
    generatedAt: '2026-11-22T10:00:00.000Z',
    sections,
    summary: summarise(sections),
  };
}

describe('the checklist report', () => {
  it('counts statuses and fails when any item fails', () => {
    expect(summarise(sections)).toEqual({ pass: 1, warn: 1, fail: 1, skip: 0, total: 3, ok: false });
    expect(summarise([{ title: 'x', items: [sections[0].items[0]] }]).ok).toBe(true);
  });

  it('renders one table row per item', () => {
    const rows = tableRows(report());
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ status: '✘ FAIL', item: 'Data Connector ≥ 1.0' });
  });

  it('renders Markdown with escaped table cells', () => {
    const md = renderMarkdown(report());
    expect(md).toContain('| ✘ FAIL | Data Connector ≥ 1.0 | not installed |');
    expect(md).toContain('Unlinked &lt;enrollments&gt; \\| pipes');
    expect(md).not.toContain('<enrollments>');
    expect(md).toContain('1 item(s) fail');
  });

  it('renders self-contained HTML with escaped text and one row per item', () => {
    const html = renderHtml(report());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('Acme &amp; Co');
    expect(html).toContain('Unlinked &lt;enrollments&gt;');
    expect(html).toContain('<code>ce-connect packages install -o prod</code>');
    expect(html.match(/<tr data-id=/g)).toHaveLength(3);
    expect(html).toContain('data-status="fail"');
  });
});
