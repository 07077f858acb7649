import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthInfo, Connection } from '@salesforce/core';
import { ComponentSet, RequestStatus } from '@salesforce/source-deploy-retrieve';
import { type Simulator, startSimulator } from '../../simulator/server.js';

jest.setTimeout(60_000);

// The simulated Metadata API must satisfy the library the sf CLI itself deploys and retrieves with.
describe('the simulated Metadata API behind @salesforce/source-deploy-retrieve', () => {
  let sim: Simulator;
  let conn: Connection;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'outdated' });
    const authInfo = await AuthInfo.create({
      accessTokenOptions: { accessToken: sim.accessToken, instanceUrl: sim.instanceUrl, loginUrl: sim.instanceUrl },
    });
    conn = await Connection.create({ authInfo });
    conn.setApiVersion('62.0');
  });
  afterAll(async () => sim?.stop());
  beforeEach(() => sim.reset('outdated'));

  it('retrieves layouts in metadata format, byte for byte', async () => {
    const output = mkdtempSync(join(tmpdir(), 'ce-sdr-mdapi-'));
    const cs = new ComponentSet([
      { fullName: 'Contact-Contact Layout', type: 'Layout' },
      { fullName: 'Contact-northpass__Northpass Contact Layout', type: 'Layout' },
    ]);
    const operation = await cs.retrieve({
      usernameOrConnection: conn,
      output,
      format: 'metadata',
      singlePackage: true,
      unzip: true,
    });
    const result = await operation.pollStatus(50, 10);
    expect(result.response.status).toBe(RequestStatus.Succeeded);
    expect(readFileSync(join(output, 'unpackaged', 'layouts', 'Contact-Contact Layout.layout'), 'utf8')).toBe(
      sim.org.getMetadata('Layout', 'Contact-Contact Layout')?.content
    );
  });

  it('retrieves layouts in source format', async () => {
    const output = mkdtempSync(join(tmpdir(), 'ce-sdr-source-'));
    const cs = new ComponentSet([{ fullName: 'Contact-Partner Contact Layout', type: 'Layout' }]);
    const operation = await cs.retrieve({ usernameOrConnection: conn, output, merge: false });
    const result = await operation.pollStatus(50, 10);
    expect(result.response.status).toBe(RequestStatus.Succeeded);
    const files = result.getFileResponses();
    expect(files.map((f) => [f.fullName, f.state])).toEqual([['Contact-Partner Contact Layout', 'Created']]);
    expect(files[0].filePath).toMatch(/layouts[/\\]Contact-Partner Contact Layout\.layout-meta\.xml$/);
  });

  function sourceDir(xml: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'ce-sdr-deploy-'));
    mkdirSync(join(dir, 'layouts'));
    writeFileSync(join(dir, 'layouts', 'Contact-Contact Layout.layout-meta.xml'), xml);
    return dir;
  }

  const entry =
    '    <relatedLists>\n        <excludeButtons>New</excludeButtons>\n        <fields>NAME</fields>\n        <relatedList>northpass__Enrollment__c.northpass__Contact__c</relatedList>\n    </relatedLists>\n';

  function patched(column = 'NAME'): string {
    const xml = sim.org.getMetadata('Layout', 'Contact-Contact Layout')?.content ?? '';
    const at = xml.lastIndexOf('</relatedLists>\n') + '</relatedLists>\n'.length;
    return xml.slice(0, at) + entry.replace('NAME', column) + xml.slice(at);
  }

  it('deploys a layout from source and reports it changed; check-only changes nothing', async () => {
    const xml = patched();
    const before = sim.org.getMetadata('Layout', 'Contact-Contact Layout')?.content;
    const validate = await ComponentSet.fromSource(sourceDir(xml)).deploy({
      usernameOrConnection: conn,
      apiOptions: { checkOnly: true },
    });
    const checked = await validate.pollStatus(50, 10);
    expect(checked.response.success).toBe(true);
    expect(sim.org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(before);

    const deploy = await ComponentSet.fromSource(sourceDir(xml)).deploy({ usernameOrConnection: conn });
    const result = await deploy.pollStatus(50, 10);
    expect(result.response.status).toBe(RequestStatus.Succeeded);
    expect(result.getFileResponses().map((f) => [f.fullName, f.state])).toEqual([
      ['Contact-Contact Layout', 'Changed'],
    ]);
    expect(sim.org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(xml);
    expect(sim.requests.filter((r) => r.write).length).toBe(1);
  });

  it('reports a rejected layout as a failed file response with the org’s problem', async () => {
    const deploy = await ComponentSet.fromSource(sourceDir(patched('northpass__Nope__c'))).deploy({
      usernameOrConnection: conn,
    });
    const result = await deploy.pollStatus(50, 10);
    expect(result.response.status).toBe(RequestStatus.Failed);
    const failure = result.getFileResponses().find((f) => f.state === 'Failed');
    expect(failure).toMatchObject({
      fullName: 'Contact-Contact Layout',
      type: 'Layout',
      error: expect.stringContaining(
        'Invalid field:northpass__Nope__c in related list:northpass__Enrollment__c.northpass__Contact__c'
      ),
    });
    expect(sim.requests.some((r) => r.write)).toBe(false);
  });
});
