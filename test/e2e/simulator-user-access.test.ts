// The simulated org's user access policies, org settings and permission set group recalculation, driven through
// the clients the tool uses (jsforce through @salesforce/core): Metadata API deploy/retrieve/readMetadata and
// Tooling queries.
import { jest } from '@jest/globals';
import type { Connection } from '@salesforce/core';
import { deployComponents, retrieveComponents } from '../../src/org/metadata.js';
import { markRecalculating } from '../../simulator/rules/permission-set-groups.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { Simulator } from '../../simulator/server.js';
import { connectToSimulator } from '../helpers/org-connection.js';

jest.setTimeout(60_000);

const NAME = 'Northpass_Standard_User';

function policy(status: string, filterTarget = 'Standard'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<UserAccessPolicy xmlns="http://soap.sforce.com/2006/04/metadata">
    <booleanFilter>1</booleanFilter>
    <masterLabel>Northpass Standard User</masterLabel>
    <status>${status}</status>
    <triggerType>CreateAndUpdate</triggerType>
    <userAccessPolicyActions>
        <action>Grant</action>
        <target>northpass__Northpass_Standard_User</target>
        <type>PermissionSet</type>
    </userAccessPolicyActions>
    <userAccessPolicyFilters>
        <operation>equals</operation>
        <sortOrder>1</sortOrder>
        <target>${filterTarget}</target>
        <type>Profile</type>
    </userAccessPolicyFilters>
</UserAccessPolicy>
`;
}

describe('the simulated org: user access policies, settings, group recalculation', () => {
  let sim: Simulator;
  let conn: Connection;

  beforeAll(async () => {
    ({ sim, conn } = await connectToSimulator('ready'));
  });
  afterAll(async () => sim?.stop());

  const deploy = (xml: string) =>
    deployComponents(
      conn,
      'UserAccessPolicy',
      'useraccesspolicies',
      'useraccesspolicy',
      new Map([[NAME, Buffer.from(xml)]]),
      {
        checkOnly: false,
      }
    );
  const statusInTooling = async (): Promise<string[]> =>
    (
      await conn.tooling.query<{ Status: string }>(
        `SELECT DeveloperName, Status FROM UserAccessPolicy WHERE DeveloperName = '${NAME}'`
      )
    ).records.map((r) => r.Status);

  it('lands a deployed policy in Design, even one sent as Active, and shows it in the Tooling API', async () => {
    sim.reset('ready');
    sim.org.deleteMetadata('UserAccessPolicy', NAME);
    const outcome = await deploy(policy('Active'));
    expect(outcome).toMatchObject({ success: true, changed: [NAME] });
    expect(await statusInTooling()).toEqual(['Design']);
    const retrieved = await retrieveComponents(conn, 'UserAccessPolicy', 'useraccesspolicies', 'useraccesspolicy', [
      NAME,
    ]);
    expect(retrieved.files.get(NAME)?.toString()).toContain('<status>Design</status>');
  });

  it('deactivates an active policy that is deployed over', async () => {
    sim.reset('ready');
    sim.org.putMetadata(
      'UserAccessPolicy',
      NAME,
      policy('Active').replace('<status>', '<order>10</order>\n    <status>')
    );
    expect(await statusInTooling()).toEqual(['Active']);
    const outcome = await deploy(policy('Design'));
    expect(outcome.success).toBe(true);
    expect(await statusInTooling()).toEqual(['Design']);
  });

  it('refuses a policy whose targets the org does not have, or when the setting is off, saving nothing', async () => {
    sim.reset('ready');
    sim.org.deleteMetadata('UserAccessPolicy', NAME);
    const unknown = await deploy(policy('Design', 'Standard User'));
    expect(unknown.success).toBe(false);
    expect(unknown.problems[0].problem).toBe('The Profile Standard User doesn’t exist in this org.');
    sim.reset({ ...loadScenario('ready'), settings: {} });
    sim.org.deleteMetadata('UserAccessPolicy', NAME);
    const off = await deploy(policy('Design'));
    expect(off.success).toBe(false);
    expect(off.problems[0].problem).toContain('User access policies aren’t enabled');
    expect(await statusInTooling()).toEqual([]);
  });

  it('takes the guide’s status values, Migrate and Testing each on its own, and refuses others', async () => {
    sim.reset('ready');
    for (const status of ['Migrate', 'Testing', 'Completed']) {
      sim.org.deleteMetadata('UserAccessPolicy', NAME);
      expect((await deploy(policy(status))).success).toBe(true);
    }
    sim.org.deleteMetadata('UserAccessPolicy', NAME);
    const joined = await deploy(policy('MigrateTesting'));
    expect(joined.success).toBe(false);
    expect(joined.problems[0].problem).toBe('status: bad value for restricted picklist field: MigrateTesting');
  });

  it('reads org settings with readMetadata, defaults included', async () => {
    sim.reset('ready');
    const on = (await conn.metadata.read('UserManagementSettings', 'UserManagement')) as unknown as Record<
      string,
      unknown
    >;
    expect(on).toMatchObject({ fullName: 'UserManagement', userAccessPoliciesEnabled: 'true' });
    sim.reset({ ...loadScenario('ready'), settings: {} });
    const off = (await conn.metadata.read('UserManagementSettings', 'UserManagement')) as unknown as Record<
      string,
      unknown
    >;
    expect(off).toMatchObject({ fullName: 'UserManagement', userAccessPoliciesEnabled: 'false' });
  });

  it('keeps a recalculating group Updating for its reads, then gives it its outcome; assignments wait for Updated', async () => {
    sim.reset('ready');
    const group = sim.org.findOne('PermissionSetGroup', (g) => g.DeveloperName === 'Support_Team');
    if (!group) throw new Error('no group');
    markRecalculating(sim.org, group.Id, { reads: 2, outcome: 'Failed' });
    const read = async (): Promise<string> =>
      (await conn.query<{ Status: string }>(`SELECT Status FROM PermissionSetGroup WHERE Id = '${group.Id}'`))
        .records[0].Status;
    const user = sim.org.userByUsername('jane.doe@acme.example');
    const aggregate = sim.org.findOne('PermissionSet', (p) => p.PermissionSetGroupId === group.Id);
    await expect(
      conn.sobject('PermissionSetAssignment').create({
        AssigneeId: user?.Id,
        PermissionSetId: aggregate?.Id,
        PermissionSetGroupId: group.Id,
      })
    ).rejects.toThrow('You can only assign users to permission set groups that have the "Updated" status.');
    expect([await read(), await read(), await read(), await read()]).toEqual([
      'Updating',
      'Updating',
      'Failed',
      'Failed',
    ]);
  });
});
