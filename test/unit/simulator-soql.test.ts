import { buildOrg, loadScenario } from '../../simulator/scenario.js';
import { runQuery } from '../../simulator/soql.js';
import type { OrgState } from '../../simulator/org-state.js';

function query(org: OrgState, soql: string, api: 'data' | 'tooling' = 'data') {
  return runQuery(org, soql, { api });
}

function errorOf(fn: () => unknown): { errorCode?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { errorCode?: string; message: string };
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('SOQL over the simulated org', () => {
  let org: OrgState;
  beforeEach(() => {
    org = buildOrg(loadScenario('ready'));
  });

  it('selects fields and parent fields, nesting parents as records', () => {
    const result = query(
      org,
      "SELECT Id, LastName, Account.Name FROM Contact WHERE Email = 'MARIA.GARCIA@globex.example'"
    );
    expect(result.totalSize).toBe(1);
    const row = result.records[0] as unknown as Record<string, unknown> & {
      Account: { Name: string; attributes: unknown };
    };
    expect(row.LastName).toBe('Garcia');
    expect(row.Account.Name).toBe('Globex Learning');
    expect(row.attributes).toEqual({ type: 'Contact', url: expect.stringMatching(/\/sobjects\/Contact\/003/) });
  });

  it('returns null for a missing parent', () => {
    const row = query(org, "SELECT Account.Name FROM Contact WHERE LastName = 'Lee'").records[0];
    expect(row.Account).toBeNull();
  });

  it('walks two levels of parents', () => {
    const rows = query(
      org,
      "SELECT Assignee.Profile.Name FROM PermissionSetAssignment WHERE Assignee.Username = 'admin@acme.example'"
    ).records as unknown as Array<{ Assignee: { Profile: { Name: string } } }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0].Assignee.Profile.Name).toBe('System Administrator');
  });

  it('evaluates AND, OR, NOT, parentheses, IN, NOT IN, LIKE, null and booleans', () => {
    const names = (where: string) =>
      query(org, `SELECT LastName FROM Contact WHERE ${where} ORDER BY LastName`).records.map((r) => r.LastName);
    expect(names("LastName IN ('Garcia', 'Silva')")).toEqual(['Garcia', 'Silva']);
    expect(names("LastName NOT IN ('Garcia', 'Silva')")).toEqual(['Haddad', 'Lee', 'Nguyen']);
    expect(names("Email LIKE '%globex%'")).toEqual(['Garcia', 'Nguyen']);
    expect(names("Email LIKE 'ana_silva@%'")).toEqual(['Silva']);
    expect(names('Email = null')).toEqual(['Lee']);
    expect(names("Email != null AND (LastName = 'Garcia' OR LastName = 'Haddad')")).toEqual(['Garcia', 'Haddad']);
    expect(names("NOT (LastName LIKE 'G%' OR LastName LIKE 'H%')")).toEqual(['Lee', 'Nguyen', 'Silva']);
    expect(names('IsDeleted = false AND Email = null')).toEqual(['Lee']);
  });

  it('compares numbers, dates-times and supports ORDER BY with several fields, NULLS LAST, LIMIT and OFFSET', () => {
    const ids = query(
      org,
      'SELECT northpass__External_Id__c FROM northpass__Enrollment__c WHERE northpass__Last_Synced_At__c >= 2025-11-20T00:00:00Z AND northpass__Progress_Percentage__c < 100'
    ).records.map((r) => r.northpass__External_Id__c);
    expect(ids).toEqual(['np-enr-1003']);
    const ordered = query(
      org,
      'SELECT northpass__External_Id__c FROM northpass__Enrollment__c ORDER BY northpass__Completed_At__c DESC NULLS LAST, northpass__External_Id__c LIMIT 2 OFFSET 1'
    ).records.map((r) => r.northpass__External_Id__c);
    expect(ordered).toEqual(['np-enr-1001', 'np-enr-1003']);
  });

  it('counts with COUNT()', () => {
    const result = query(org, "SELECT COUNT() FROM User WHERE Profile.Name = 'Standard User' AND IsActive = true");
    expect(result).toEqual({ totalSize: 4, records: [] });
  });

  it('answers child subqueries and semi-joins', () => {
    const rows = query(
      org,
      "SELECT LastName, (SELECT northpass__External_Id__c FROM northpass__Enrollments__r) FROM Contact WHERE Id IN (SELECT northpass__Contact__c FROM northpass__Enrollment__c WHERE northpass__Course_Id__c = 'crs-205')"
    ).records as unknown as Array<{ LastName: string; northpass__Enrollments__r: { records: unknown[] } }>;
    expect(rows.map((r) => r.LastName)).toEqual(['Silva']);
    expect(rows[0].northpass__Enrollments__r.records).toHaveLength(1);
  });

  it('reads Tooling relationships of InstalledSubscriberPackage', () => {
    const rows = query(
      org,
      'SELECT SubscriberPackage.NamespacePrefix, SubscriberPackageVersion.MajorVersion, SubscriberPackageVersion.MinorVersion FROM InstalledSubscriberPackage ORDER BY SubscriberPackage.NamespacePrefix',
      'tooling'
    ).records as unknown as Array<{
      SubscriberPackage: { NamespacePrefix: string };
      SubscriberPackageVersion: { MinorVersion: number };
    }>;
    expect(rows.map((r) => r.SubscriberPackage.NamespacePrefix)).toEqual(['northpass', 'npdc']);
    expect(rows[0].SubscriberPackageVersion.MinorVersion).toBe(1);
  });

  it.each([
    ['SELECT Id FROM Contact GROUP BY LastName', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Contact WHERE CreatedDate = TODAY', 'MALFORMED_QUERY'],
    ["SELECT Id FROM Contact WHERE LastName = 'a' AND Email = 'b' OR Title = 'c'", 'MALFORMED_QUERY'],
    ['SELECT COUNT(Id) FROM Contact', 'MALFORMED_QUERY'],
    ['SELECT Id FROM', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Nope__c', 'INVALID_TYPE'],
    ['SELECT Nope FROM Contact', 'INVALID_FIELD'],
    ['SELECT Nope__r.Name FROM Contact', 'INVALID_FIELD'],
    ["SELECT Id FROM User WHERE IsActive = 'true'", 'INVALID_QUERY_FILTER_OPERATOR'],
    ['SELECT Id FROM InstalledSubscriberPackage', 'INVALID_TYPE'],
  ])('refuses %s with %s', (soql, errorCode) => {
    expect(errorOf(() => query(org, soql)).errorCode).toBe(errorCode);
  });

  it('refuses SubscriberPackageVersion without an Id filter, and answers it with one', () => {
    expect(errorOf(() => query(org, 'SELECT Id FROM SubscriberPackageVersion', 'tooling')).message).toMatch(
      /Implementation restriction/
    );
    const rows = query(org, "SELECT Name FROM SubscriberPackageVersion WHERE Id = '04t4x000000NP21AAA'", 'tooling');
    expect(rows.records.map((r) => r.Name)).toEqual(['Northpass 2.1']);
  });

  it('includes deleted records only for queryAll', () => {
    const contact = org.findOne('Contact', (c) => c.LastName === 'Lee');
    org.delete('Contact', contact?.Id as string);
    expect(query(org, "SELECT Id FROM Contact WHERE LastName = 'Lee'").totalSize).toBe(0);
    const all = runQuery(org, "SELECT Id, IsDeleted FROM Contact WHERE LastName = 'Lee'", {
      api: 'data',
      includeDeleted: true,
    });
    expect(all.records[0].IsDeleted).toBe(true);
  });
});

describe('org state validation', () => {
  let org: OrgState;
  beforeEach(() => {
    org = buildOrg(loadScenario('fresh'));
  });

  it.each([
    [{ LastName: 'X', Nope__c: 1 }, 'INVALID_FIELD'],
    [{ FirstName: 'X' }, 'REQUIRED_FIELD_MISSING'],
    [{ LastName: 'X', Email: 'not-an-email' }, 'INVALID_EMAIL_ADDRESS'],
    [{ LastName: 'X', AccountId: 'garbage' }, 'MALFORMED_ID'],
    [{ LastName: 'X', Name: 'computed' }, 'INVALID_FIELD_FOR_INSERT_UPDATE'],
    [{ LastName: 'X'.repeat(81) }, 'STRING_TOO_LONG'],
  ])('rejects Contact %j with %s', (values, errorCode) => {
    expect(errorOf(() => org.insert('Contact', values)).errorCode).toBe(errorCode);
  });

  it('runs rules registered by other modules and lets them reject a change', () => {
    org.addRule('Contact', 'beforeUpdate', ({ record }) =>
      record.Title === 'CEO' ? { errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no CEOs' } : undefined
    );
    const contact = org.insert('Contact', { LastName: 'Rule' });
    expect(errorOf(() => org.update('Contact', contact.Id, { Title: 'CEO' })).errorCode).toBe(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION'
    );
    expect(org.get('Contact', contact.Id)?.Title).toBeNull();
  });

  it('runs scheduled work when the clock advances', () => {
    const seen: string[] = [];
    org.schedule(60_000, () => seen.push('pushed'));
    org.advance(30_000);
    expect(seen).toEqual([]);
    org.advance(30_000);
    expect(seen).toEqual(['pushed']);
  });
});
