import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConfigProblems, jsonErrorLocation, parseConfig, relatedListName } from '../../src/core/config.js';
import { InputError } from '../../src/core/errors.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const shipped = readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8');

function withChange(change: (config: Record<string, any>) => void): unknown {
  const config = JSON.parse(shipped) as Record<string, any>;
  change(config);
  return config;
}

describe('the desired-state config', () => {
  it('accepts the shipped config', () => {
    const config = parseConfig(shipped, 'ce-connect.json');
    expect(config.packages.map((p) => p.key)).toEqual(['northpass', 'connector']);
    expect(relatedListName(config)).toBe('northpass__Enrollment__c.northpass__Contact__c');
  });

  it.each([
    ['a bad 04t id', (c: any) => (c.packages[0].versionId = '033000000000001'), '/packages/0/versionId'],
    [
      'a bad sort order',
      (c: any) => (c.layouts.relatedList.sortOrder = 'Descending'),
      '/layouts/relatedList/sortOrder',
    ],
    ['an unknown setting', (c: any) => (c.sync.pollSeconds = 5), '/sync/pollSeconds'],
    ['a missing section', (c: any) => delete c.backfill, '/backfill'],
    ['a wrong type', (c: any) => (c.sync.maxApiCalls = 'sixty'), '/sync/maxApiCalls'],
    [
      'an assignee with two selectors',
      (c: any) => (c.permissionSet.assignees[0] = { username: 'a@b.c', profile: 'X' }),
      '/permissionSet/assignees/0',
    ],
    ['an invalid date', (c: any) => (c.backfill.since = '2025-13-45'), '/backfill/since'],
    ['a duplicate package key', (c: any) => (c.packages[1].key = 'northpass'), '/packages/1/key'],
    ['a non-custom enrollment object', (c: any) => (c.enrollment.object = 'Enrollment'), '/enrollment/object'],
  ])('reports %s at its JSON path', (_label, change, path) => {
    const problems = findConfigProblems(withChange(change));
    expect(problems.map((p) => p.path)).toContain(path);
  });

  it('throws an exit-code-2 error listing every problem', () => {
    const text = JSON.stringify(
      withChange((c) => {
        c.packages[0].versionId = 'nope';
        c.layouts.relatedList.sortOrder = 'Up';
      })
    );
    let caught: unknown;
    try {
      parseConfig(text, 'broken.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('/packages/0/versionId');
    expect(error.message).toContain('/layouts/relatedList/sortOrder');
  });

  it('says where JSON syntax breaks', () => {
    expect(() => parseConfig('{"packages": [', 'broken.json')).toThrow(/broken.json:1:15 is not valid JSON/);
  });
});

describe('a config that is not JSON', () => {
  it('is located by line and column', () => {
    const text = '{\n  "packages": [\n    { "key": "northpass", }\n  ]\n}\n';
    expect(() => parseConfig(text, 'ce-connect.json')).toThrow(
      /ce-connect\.json:3:27 is not valid JSON: (PropertyNameExpected|ValueExpected)/
    );
    expect(jsonErrorLocation(text)).toMatchObject({ line: 3, column: 27 });
    expect(jsonErrorLocation('{"a": 1}')).toBeUndefined();
  });
});

describe('the config schema', () => {
  it('is a valid JSON Schema (the tool compiles it without checking)', async () => {
    const { Ajv } = await import('ajv');
    const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.schema.json'), 'utf8')) as object;
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(schema)).toBe(true);
  });
});
