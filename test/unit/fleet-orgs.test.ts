import { csvQuote } from '../../src/core/csv-output.js';
import { fleetOrgsCsv, parseFleetOrgs } from '../../src/core/fleet-orgs.js';
import { thrownInputError as thrown } from '../helpers/thrown.js';

describe('the org list of a fleet run', () => {
  it('reads CSV with a header, the per-org settings and other names of the org column', () => {
    const csv =
      '\uFEFFalias,config,test-email,export\r\nacme-prod,acme/ce-connect.json,t@acme.example,\r\n\r\nbeta,,,"exports/beta, 2025.csv"\r\n';
    expect(parseFleetOrgs(csv, 'orgs.csv')).toEqual([
      { org: 'acme-prod', config: 'acme/ce-connect.json', testEmail: 't@acme.example' },
      { org: 'beta', export: 'exports/beta, 2025.csv' },
    ]);
    expect(parseFleetOrgs('username\nadmin@acme.example\n', 'u.csv')).toEqual([{ org: 'admin@acme.example' }]);
  });

  it('reads JSON: names, objects, or an object with an orgs list', () => {
    expect(parseFleetOrgs('["a", {"org": "b", "testEmail": "x@y.example"}]', 'o.json')).toEqual([
      { org: 'a' },
      { org: 'b', testEmail: 'x@y.example' },
    ]);
    expect(parseFleetOrgs('{"orgs": [{"alias": "c", "config": "c.json"}]}', 'o.json')).toEqual([
      { org: 'c', config: 'c.json' },
    ]);
  });

  it('names the place of every bad entry (exit 2)', () => {
    const column = thrown(() => parseFleetOrgs('org,region\nacme,eu\n', 'orgs.csv'));
    expect(column.name).toBe('UnknownOrgColumn');
    expect(column.message).toBe('orgs.csv: the column "region" (column 2) is not a setting of an org.');
    expect(column.exitCode).toBe(2);
    expect(thrown(() => parseFleetOrgs('config\nx.json\n', 'orgs.csv')).name).toBe('NoOrgColumn');
    expect(thrown(() => parseFleetOrgs('org,config\nacme,\n,b.json\n', 'orgs.csv')).message).toBe(
      'orgs.csv:3: the org column is empty.'
    );
    // Lines are counted in the text, whatever its characters take in bytes.
    expect(thrown(() => parseFleetOrgs('org,config\nÄÄÄÄÄÄ,x.json\n,b\nz,y.json\n', 'orgs.csv')).message).toBe(
      'orgs.csv:3: the org column is empty.'
    );
    expect(thrown(() => parseFleetOrgs('org\nacme\nACME\n', 'orgs.csv')).message).toBe(
      'orgs.csv names ACME twice (entries 1 and 2).'
    );
    expect(thrown(() => parseFleetOrgs('org\n', 'orgs.csv')).name).toBe('NoOrgs');
    expect(thrown(() => parseFleetOrgs('[{"org": "a", "region": "eu"}]', 'o.json')).message).toBe(
      'o.json /0/region is not a setting of an org (org, config, export, testEmail).'
    );
    expect(thrown(() => parseFleetOrgs('{"orgs": [{"config": "c.json"}]}', 'o.json')).message).toBe(
      'o.json /orgs/0/org is required.'
    );
    expect(thrown(() => parseFleetOrgs('[1]', 'o.json')).message).toContain('/0 is neither a name nor an object');
    expect(thrown(() => parseFleetOrgs('{"orgs": 3}', 'o.json')).name).toBe('OrgsNotAList');
    expect(thrown(() => parseFleetOrgs('[', 'o.json')).name).toBe('OrgsNotJson');
  });

  it('writes a list that reads back the same (failed-orgs.csv)', () => {
    const orgs = [
      { org: 'a', config: 'x, y.json' },
      { org: 'b', testEmail: 't@b.example', export: 'e.csv' },
    ];
    expect(parseFleetOrgs(fleetOrgsCsv(orgs, csvQuote), 'failed-orgs.csv')).toEqual(orgs);
  });
});
