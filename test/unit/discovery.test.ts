import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.js';
import {
  type Discovery,
  type FieldInfo,
  computeConfigPatch,
  contactLayoutNames,
  pickEnrollmentRelationship,
  pickPermissionSet,
  pickTimestampField,
} from '../../src/core/discovery.js';
import { replaceValues } from '../../src/core/json-edit.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const text = readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8');
const config = parseConfig(text, 'config');

const rel = (childSObject: string, field = 'X__c', relationshipName: string | null = null) => ({
  childSObject,
  field,
  relationshipName,
});
const dt = (name: string, label = name): FieldInfo => ({ name, label, type: 'datetime', custom: name.endsWith('__c') });

describe('picking the Enrollment relationship', () => {
  it('takes the CE custom object whose name says Enrollment', () => {
    const { chosen } = pickEnrollmentRelationship(
      [rel('Case', 'ContactId'), rel('northpass__Course__c'), rel('northpass__Enrollment__c', 'northpass__Contact__c')],
      ['northpass']
    );
    expect(chosen?.field).toBe('northpass__Contact__c');
  });

  it('ignores objects of other namespaces', () => {
    const { chosen, candidates } = pickEnrollmentRelationship([rel('other__Enrollment__c')], ['northpass']);
    expect(chosen).toBeNull();
    expect(candidates).toEqual([]);
  });

  it('gives up with the candidates when two could be it and the config names neither', () => {
    const result = pickEnrollmentRelationship(
      [rel('northpass__Enrollment__c'), rel('northpass__Enrollment_Archive__c')],
      ['northpass'],
      'northpass__Other__c'
    );
    expect(result.chosen).toBeNull();
    expect(result.candidates).toEqual(['northpass__Enrollment__c', 'northpass__Enrollment_Archive__c']);
  });
});

describe('picking the timestamp field', () => {
  it('prefers the field named for syncing over other date-times', () => {
    expect(pickTimestampField([dt('ns__Completed_At__c'), dt('ns__Last_Synced_At__c'), dt('CreatedDate')])).toBe(
      'ns__Last_Synced_At__c'
    );
  });

  it('keeps the configured field when the names do not decide', () => {
    expect(pickTimestampField([dt('ns__A__c'), dt('ns__B__c')], 'ns__B__c')).toBe('ns__B__c');
  });

  it('returns null rather than guessing between several', () => {
    expect(pickTimestampField([dt('ns__A__c'), dt('ns__B__c')])).toBeNull();
  });
});

describe('permission sets and layouts', () => {
  it('prefers the CE namespace among permission sets with the label', () => {
    const rows = [
      { Id: '0PS1', Name: 'Copy', Label: 'Northpass Standard User', NamespacePrefix: null },
      { Id: '0PS2', Name: 'Northpass_Standard_User', Label: 'Northpass Standard User', NamespacePrefix: 'northpass' },
    ];
    expect(pickPermissionSet(rows, ['northpass'])?.id).toBe('0PS2');
  });

  it('names managed layouts with the namespace on the layout half', () => {
    expect(
      contactLayoutNames([
        { Name: 'Northpass Contact Layout', NamespacePrefix: 'northpass' },
        { Name: 'Contact Layout', NamespacePrefix: null },
      ])
    ).toEqual(['Contact-Contact Layout', 'Contact-northpass__Northpass Contact Layout']);
  });
});

describe('the config patch', () => {
  const discovery: Discovery = {
    packages: [
      { key: 'northpass', name: 'Northpass', namespace: 'northpass', installed: '2.0.1.4', versionId: '04tOLD' },
      {
        key: 'connector',
        name: 'Gainsight Northpass Data Connector',
        namespace: 'gnpdc',
        installed: '1.0.0.1',
        versionId: '04tNEW',
      },
    ],
    enrollment: null,
    enrollmentCandidates: [],
    permissionSet: { label: 'Northpass Standard User', name: 'NSU', namespace: 'northpass', id: '0PS' },
    contactLayouts: [],
  };

  it('replaces contradicted values, confirms a version id only for the installed required version', () => {
    const patch = computeConfigPatch(config, discovery);
    expect(patch.changes).toEqual([
      { path: '/packages/1/namespace', from: 'npdc', to: 'gnpdc' },
      { path: '/packages/1/versionId', from: '04t4x000000NC10AAA', to: '04tNEW' },
      { path: '/permissionSet/name', from: 'Northpass_Standard_User', to: 'NSU' },
      { path: '/unverified', from: config.unverified, to: ['/packages/0/versionId', '/enrollment'] },
    ]);
  });

  it('edits only the changed values of the file', () => {
    const patch = computeConfigPatch(config, discovery);
    const edited = replaceValues(
      text,
      patch.changes.map((c) => ({ pointer: c.path, value: c.to }))
    );
    expect(JSON.parse(edited).packages[1]).toMatchObject({ namespace: 'gnpdc', versionId: '04tNEW' });
    expect(edited).toContain('  "unverified": [\n    "/packages/0/versionId",\n    "/enrollment"\n  ],');
    expect(edited).toContain('"name": "NSU",');
    expect(edited.slice(edited.indexOf('"assignees"'))).toBe(text.slice(text.indexOf('"assignees"')));
    expect(edited.slice(edited.indexOf('"enrollment": {'), edited.indexOf('"permissionSet"'))).toBe(
      text.slice(text.indexOf('"enrollment": {'), text.indexOf('"permissionSet"'))
    );
  });

  it('refuses to edit a path the file does not have', () => {
    expect(() => replaceValues(text, [{ pointer: '/nope', value: 1 }])).toThrow(/no value at \/nope/);
  });

  it('replaces nested values by JSON pointer, escapes included', () => {
    expect(replaceValues('{"a": [1, {"b~c/d": "x"}]}', [{ pointer: '/a/1/b~0c~1d', value: 'y' }])).toBe(
      '{"a": [1, {"b~c/d": "y"}]}'
    );
  });
});
