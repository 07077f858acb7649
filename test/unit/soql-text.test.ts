import { inListQueries, soqlDateTime, soqlString } from '../../src/core/soql-text.js';
import { buildOrg, loadScenario } from '../../simulator/scenario.js';
import { runQuery } from '../../simulator/soql.js';

describe('soqlString', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(soqlString("o'brien\\x\n")).toBe("'o\\'brien\\\\x\\n'");
  });

  it('gives a literal that matches exactly the value it quotes', () => {
    const org = buildOrg(loadScenario('fresh'));
    const value = `d'Arcy "the" \\ admin\t%_`;
    const inserted = org.insert('Contact', { LastName: value }, { system: true });
    org.insert('Contact', { LastName: "d'Arcy" }, { system: true });
    const outcome = runQuery(org, `SELECT Id FROM Contact WHERE LastName = ${soqlString(value)}`, { api: 'data' });
    expect(outcome.records.map((r) => r.Id)).toEqual([inserted.Id]);
  });
});

describe('soqlDateTime', () => {
  it('writes UTC without milliseconds', () => {
    expect(soqlDateTime(Date.parse('2026-11-22T04:13:02.789Z'))).toBe('2026-11-22T04:13:02Z');
  });
});

describe('inListQueries', () => {
  const render = (list: string): string => `SELECT Id, Email FROM Contact WHERE Email IN (${list})`;

  it('puts a few values in one query, once each', () => {
    expect(inListQueries(['a@x.example', 'b@x.example', 'a@x.example'], render)).toEqual([
      "SELECT Id, Email FROM Contact WHERE Email IN ('a@x.example','b@x.example')",
    ]);
  });

  it('splits many values so every query stays under the URL-encoded limit, losing none', () => {
    const emails = Array.from({ length: 5000 }, (_, i) => `learner.number.${i}@customer-${i % 97}.example`);
    const queries = inListQueries(emails, render, 8000);
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries) expect(encodeURIComponent(q).length).toBeLessThanOrEqual(8000);
    const found = queries.flatMap((q) => [...q.matchAll(/'([^']+)'/g)].map((m) => m[1]));
    expect(found).toEqual(emails);
    // Batches are full: all but the last hold more than the next value would fit.
    expect(encodeURIComponent(queries[0]).length).toBeGreaterThan(8000 - 80);
  });

  it('returns no query for no values', () => {
    expect(inListQueries([], render)).toEqual([]);
  });

  it('refuses a value that cannot fit any query', () => {
    expect(() => inListQueries(['x'.repeat(9000)], render, 8000)).toThrow(RangeError);
  });
});
