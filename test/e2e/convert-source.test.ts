import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';

jest.setTimeout(120_000);

const sf = join(PROJECT_ROOT, 'node_modules', '.bin', 'sf');

function convert(env: NodeJS.ProcessEnv): { status: number | null; out: string; dir: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'ce-convert-')), 'mdapi');
  const run = spawnSync(sf, ['project', 'convert', 'source', '--output-dir', dir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}`, dir };
}

describe('sf project convert source of force-app (offline)', () => {
  it('converts, replacing the namespace token from CE_NAMESPACE and leaving tests out', () => {
    const { status, out, dir } = convert({ CE_NAMESPACE: 'acmeNs', SF_APPLY_REPLACEMENTS_ON_CONVERT: 'true' });
    expect({ status, out }).toEqual({ status: 0, out: expect.any(String) });
    const layout = readFileSync(join(dir, 'layouts', 'Contact-Contact Layout.layout'), 'utf8');
    expect(layout).toContain('<relatedList>acmeNs__Enrollment__c.acmeNs__Contact__c</relatedList>');
    expect(layout).not.toContain('%%%NAMESPACE%%%');
    const lwcDir = join(dir, 'lwc');
    if (existsSync(lwcDir)) {
      for (const bundle of readdirSync(lwcDir)) {
        expect(readdirSync(join(lwcDir, bundle))).not.toContain('__tests__');
      }
    }
    const manifest = readFileSync(join(dir, 'package.xml'), 'utf8');
    expect(manifest).toContain('<name>Layout</name>');
    // The Northpass Standard User assignments as a User Access Policy, granting the namespaced permission set.
    expect(manifest).toContain('<name>UserAccessPolicy</name>');
    const policy = readFileSync(join(dir, 'useraccesspolicies', 'Northpass_Standard_User.useraccesspolicy'), 'utf8');
    expect(policy).toContain('<target>acmeNs__Northpass_Standard_User</target>');
    expect(policy).not.toContain('%%%NAMESPACE%%%');
    // The component's Custom Labels travel with it: the labels file and each label in the manifest.
    expect(manifest).toContain('<name>CustomLabel</name>');
    expect(manifest).toContain('<members>CE_Enrollments_Title</members>');
    expect(readFileSync(join(dir, 'labels', 'CustomLabels.labels'), 'utf8')).toContain(
      '<fullName>CE_Enrollments_Empty</fullName>'
    );
    expect(readFileSync(join(dir, 'lwc', 'contactEnrollments', 'contactEnrollments.js'), 'utf8')).toContain(
      "from '@salesforce/label/c.CE_Enrollments_Title'"
    );
    // The component's design defaults name the namespace too: what App Builder fills in when it is placed.
    const bundle = readFileSync(join(dir, 'lwc', 'contactEnrollments', 'contactEnrollments.js-meta.xml'), 'utf8');
    expect(bundle).toContain('default="acmeNs__Enrollments__r"');
    expect(bundle).toContain('default="acmeNs__Enrollment_Date__c"');
    expect(bundle).not.toContain('%%%NAMESPACE%%%');
    expect(bundle).not.toContain('default="northpass__');
  });

  it('refuses to convert for deploy when the namespace variable is missing', () => {
    const env = { SF_APPLY_REPLACEMENTS_ON_CONVERT: 'true', CE_NAMESPACE: undefined };
    const { status, out } = convert(env);
    expect(status).not.toBe(0);
    expect(out).toContain('CE_NAMESPACE');
  });
});
