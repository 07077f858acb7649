import type { Connection } from '@salesforce/core';

export type OrgKind = 'production' | 'sandbox' | 'scratch';

export type OrgFacts = {
  id: string;
  name: string;
  edition: string;
  kind: OrgKind;
  instanceUrl: string;
  apiVersion: string;
};

type OrganizationRow = {
  Id: string;
  Name: string;
  OrganizationType: string;
  IsSandbox: boolean;
  TrialExpirationDate: string | null;
};

/**
 * Reads the org's identity and kind in one query. A scratch org is a sandbox with a trial expiration date;
 * a real sandbox has none (the rule @salesforce/core uses).
 */
export async function readOrgFacts(conn: Connection): Promise<OrgFacts> {
  const result = await conn.query<OrganizationRow>(
    'SELECT Id, Name, OrganizationType, IsSandbox, TrialExpirationDate FROM Organization'
  );
  const row = result.records[0];
  const kind: OrgKind = !row.IsSandbox ? 'production' : row.TrialExpirationDate ? 'scratch' : 'sandbox';
  return {
    id: row.Id,
    name: row.Name,
    edition: row.OrganizationType,
    kind,
    instanceUrl: conn.instanceUrl.replace(/\/+$/, ''),
    apiVersion: conn.getApiVersion(),
  };
}
