import { XMLParser } from 'fast-xml-parser';
import JSZip from 'jszip';
import { buildOrg, loadScenario } from '../../simulator/scenario.js';
import type { OrgState } from '../../simulator/org-state.js';
import { routes } from '../../simulator/routes/metadata-soap.js';
import type { SimRequest, SimResponse } from '../../simulator/types.js';

const route = routes[0];
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });

function envelope(operation: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
    '<soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>token</sessionId></SessionHeader></soapenv:Header>' +
    `<soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata"><${operation}>${inner}</${operation}></soapenv:Body></soapenv:Envelope>`
  );
}

async function call(org: OrgState, operation: string, inner: string): Promise<{ response: SimResponse; result: any }> {
  const path = '/services/Soap/m/62.0';
  const text = envelope(operation, inner);
  const req: SimRequest = {
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: {},
    rawBody: Buffer.from(text),
    text,
    apiVersion: '62.0',
  };
  const match = route.pattern.exec(path);
  if (!match) throw new Error('route does not match');
  const response = await route.handle(req, match, org);
  const parsed = parser.parse(String(response.body)) as any;
  return { response, result: parsed.Envelope.Body[`${operation}Response`].result };
}

/** A status check, repeated while the org reports the work not done (the first check always does). */
async function untilDone(org: OrgState, operation: string, body: string): Promise<any> {
  for (let check = 1; check <= 5; check++) {
    const { result } = await call(org, operation, body);
    if (result.done === true || result.done === 'true') return result;
    expect(result.status).toBe('InProgress');
  }
  throw new Error(`${operation} never finished`);
}

function members(names: string[]): string {
  return names.map((n) => `<members>${n}</members>`).join('');
}

async function retrieveZip(org: OrgState, names: string[], singlePackage = true): Promise<{ zip: JSZip; status: any }> {
  const started = await call(
    org,
    'retrieve',
    `<request><apiVersion>62.0</apiVersion><singlePackage>${singlePackage}</singlePackage><unpackaged><types>${members(names)}<name>Layout</name></types><version>62.0</version></unpackaged></request>`
  );
  const status = await untilDone(
    org,
    'checkRetrieveStatus',
    `<asyncProcessId>${started.result.id}</asyncProcessId><includeZip>true</includeZip>`
  );
  return { zip: await JSZip.loadAsync(Buffer.from(status.zipFile, 'base64')), status };
}

async function deployZip(
  org: OrgState,
  layouts: Record<string, string>,
  options: { checkOnly?: boolean; rollbackOnError?: boolean } = {}
): Promise<{ response: SimResponse; status: any }> {
  const zip = new JSZip();
  zip.file(
    'package.xml',
    `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><types>${members(Object.keys(layouts))}<name>Layout</name></types><version>62.0</version></Package>`
  );
  for (const [name, xml] of Object.entries(layouts)) zip.file(`layouts/${name}.layout`, xml);
  const base64 = (await zip.generateAsync({ type: 'nodebuffer' })).toString('base64');
  const started = await call(
    org,
    'deploy',
    `<ZipFile>${base64}</ZipFile><DeployOptions><checkOnly>${options.checkOnly ?? false}</checkOnly><rollbackOnError>${options.rollbackOnError ?? true}</rollbackOnError><singlePackage>true</singlePackage></DeployOptions>`
  );
  const status = await untilDone(
    org,
    'checkDeployStatus',
    `<asyncProcessId>${started.result.id}</asyncProcessId><includeDetails>true</includeDetails>`
  );
  return { response: started.response, status };
}

const ENTRY =
  '    <relatedLists>\n        <excludeButtons>New</excludeButtons>\n        <fields>NAME</fields>\n        <fields>northpass__Course_Name__c</fields>\n        <relatedList>northpass__Enrollment__c.northpass__Contact__c</relatedList>\n    </relatedLists>\n';

function withEntry(xml: string, entry = ENTRY): string {
  const at = xml.lastIndexOf('</relatedLists>\n') + '</relatedLists>\n'.length;
  return xml.slice(0, at) + entry + xml.slice(at);
}

describe('simulated Metadata API (SOAP)', () => {
  let org: OrgState;
  beforeEach(() => {
    org = buildOrg(loadScenario('outdated'));
  });

  it('lists layouts with FileProperties, leaving the namespace off a managed layout name', async () => {
    const { result } = await call(
      org,
      'listMetadata',
      '<queries><type>Layout</type></queries><asOfVersion>62.0</asOfVersion>'
    );
    const rows = [result].flat();
    const managed = rows.find((r: any) => r.namespacePrefix === 'northpass');
    expect(managed).toMatchObject({
      fullName: 'Contact-Northpass Contact Layout',
      manageableState: 'installed',
      type: 'Layout',
      fileName: 'layouts/Contact-Northpass Contact Layout.layout',
    });
    expect(rows.map((r: any) => r.fullName)).toEqual(
      expect.arrayContaining(['Contact-Contact Layout', 'Contact-Partner Contact Layout'])
    );
    expect(rows.find((r: any) => r.fullName === 'Contact-Contact Layout').manageableState).toBe('unmanaged');
  });

  it('retrieves exactly the requested members, byte for byte, in a real zip', async () => {
    const stored = org.getMetadata('Layout', 'Contact-Contact Layout')?.content;
    const { zip, status } = await retrieveZip(org, ['Contact-Contact Layout']);
    expect(status).toMatchObject({ done: 'true', success: 'true', status: 'Succeeded' });
    const files = Object.values(zip.files)
      .filter((f) => !f.dir)
      .map((f) => f.name);
    expect(files.sort()).toEqual(['layouts/Contact-Contact Layout.layout', 'package.xml']);
    expect(await zip.file('layouts/Contact-Contact Layout.layout')?.async('string')).toBe(stored);
    expect(await zip.file('package.xml')?.async('string')).toContain('<members>Contact-Contact Layout</members>');
  });

  it('puts files under unpackaged/ unless singlePackage is set', async () => {
    const { zip } = await retrieveZip(org, ['Contact-Contact Layout'], false);
    expect(zip.file('unpackaged/package.xml')).not.toBeNull();
    expect(zip.file('unpackaged/layouts/Contact-Contact Layout.layout')).not.toBeNull();
  });

  it('needs the namespace on a managed layout name, and reports a missing member in messages', async () => {
    const { zip, status } = await retrieveZip(org, [
      'Contact-Northpass Contact Layout',
      'Contact-northpass__Northpass Contact Layout',
    ]);
    expect(zip.file('layouts/Contact-northpass__Northpass Contact Layout.layout')).not.toBeNull();
    expect(zip.file('layouts/Contact-Northpass Contact Layout.layout')).toBeNull();
    expect([status.messages].flat()[0].problem).toBe(
      "Entity of type 'Layout' named 'Contact-Northpass Contact Layout' cannot be found"
    );
  });

  it('matches percent-encoded names either way', async () => {
    const xml = org.getMetadata('Layout', 'Contact-Contact Layout')?.content ?? '';
    org.putMetadata('Layout', 'Contact-Contact %28Marketing%29 Layout', xml);
    const { zip } = await retrieveZip(org, ['Contact-Contact (Marketing) Layout']);
    expect(zip.file('layouts/Contact-Contact %28Marketing%29 Layout.layout')).not.toBeNull();
  });

  it('validates without saving on checkOnly, saves on a real deploy, and saves nothing the second time', async () => {
    const before = org.getMetadata('Layout', 'Contact-Contact Layout')?.content ?? '';
    const patched = withEntry(before);
    const check = await deployZip(org, { 'Contact-Contact Layout': patched }, { checkOnly: true });
    expect(check.status).toMatchObject({ status: 'Succeeded', success: 'true', checkOnly: 'true' });
    expect(check.response.write).toBe(false);
    expect(org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(before);

    const real = await deployZip(org, { 'Contact-Contact Layout': patched });
    expect(real.status).toMatchObject({ status: 'Succeeded', numberComponentsDeployed: '1' });
    const success = [real.status.details.componentSuccesses]
      .flat()
      .find((m: any) => m.fullName === 'Contact-Contact Layout');
    expect(success).toMatchObject({ changed: 'true', created: 'false', componentType: 'Layout' });
    expect(real.response.write).toBe(true);
    expect(org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(patched);

    const again = await deployZip(org, { 'Contact-Contact Layout': patched });
    expect(again.response.write).toBe(false);
    expect(
      [again.status.details.componentSuccesses].flat().find((m: any) => m.fullName === 'Contact-Contact Layout').changed
    ).toBe('false');
  });

  it.each([
    ['malformed XML', (xml: string) => xml.replace('</layoutSections>', '</layoutSection>'), /^Error parsing file: /],
    [
      'an unknown related list',
      (xml: string) =>
        withEntry(xml, ENTRY.replace('northpass__Contact__c</relatedList>', 'northpass__Owner__c</relatedList>')),
      /^Invalid related list:northpass__Enrollment__c\.northpass__Owner__c$/,
    ],
    [
      'an unknown column',
      (xml: string) => withEntry(xml, ENTRY.replace('northpass__Course_Name__c', 'northpass__Nope__c')),
      /^Invalid field:northpass__Nope__c in related list:northpass__Enrollment__c\.northpass__Contact__c$/,
    ],
    [
      'the same related list twice',
      (xml: string) => withEntry(withEntry(xml)),
      /^Field: relatedLists, value:northpass__Enrollment__c\.northpass__Contact__c appears more than once$/,
    ],
  ])('rejects %s like a real org and saves nothing', async (_what, edit, problem) => {
    const before = org.getMetadata('Layout', 'Contact-Contact Layout')?.content ?? '';
    const edited = edit(before);
    const { status, response } = await deployZip(org, { 'Contact-Contact Layout': edited });
    expect(status).toMatchObject({ status: 'Failed', success: 'false', numberComponentErrors: '1' });
    const failure = [status.details.componentFailures].flat()[0];
    expect(failure).toMatchObject({
      componentType: 'Layout',
      fullName: 'Contact-Contact Layout',
      problemType: 'Error',
    });
    expect(failure.problem).toMatch(problem);
    expect(Number(failure.lineNumber)).toBeGreaterThan(0);
    expect(response.write).toBe(false);
    expect(org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(before);
  });

  it('rejects an element out of WSDL order with the schema message', async () => {
    const before = org.getMetadata('Layout', 'Contact-Contact Layout')?.content ?? '';
    const lines = before.split('\n');
    const flag = lines.findIndex((l) => l.includes('<show'));
    const [moved] = lines.splice(flag, 1);
    const section = lines.findIndex((l) => l.includes('<layoutSections>'));
    lines.splice(section, 0, moved);
    const { status } = await deployZip(org, { 'Contact-Contact Layout': lines.join('\n') });
    const failure = [status.details.componentFailures].flat()[0];
    expect(failure.problem).toMatch(
      /^Element \{http:\/\/soap\.sforce\.com\/2006\/04\/metadata\}layoutSections invalid at this location in type Layout$/
    );
  });

  it('rejects a second quickActionList, which the Layout type allows once', async () => {
    const before = org.getMetadata('Layout', 'Contact-Contact Layout')?.content ?? '';
    const twice = '    <quickActionList>\n    </quickActionList>\n'.repeat(2);
    // Where the Layout type puts it: just before the related lists.
    const xml = before.replace('    <relatedLists>', `${twice}    <relatedLists>`);
    const { status } = await deployZip(org, { 'Contact-Contact Layout': xml });
    const failure = [status.details.componentFailures].flat()[0];
    expect(failure.problem).toMatch(/quickActionList invalid at this location in type Layout$/);
    expect(org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(before);
  });

  it('fails the whole deploy on one bad layout with rollbackOnError, and keeps the good one without it', async () => {
    const good = withEntry(org.getMetadata('Layout', 'Contact-Contact Layout')?.content ?? '');
    const bad = withEntry(
      org.getMetadata('Layout', 'Contact-Partner Contact Layout')?.content ?? '',
      ENTRY.replace('NAME', 'Bogus__c')
    );
    const all = await deployZip(org, { 'Contact-Contact Layout': good, 'Contact-Partner Contact Layout': bad });
    expect(all.status.status).toBe('Failed');
    expect(org.getMetadata('Layout', 'Contact-Contact Layout')?.content).not.toBe(good);
    const partial = await deployZip(
      org,
      { 'Contact-Contact Layout': good, 'Contact-Partner Contact Layout': bad },
      { rollbackOnError: false }
    );
    expect(partial.status.status).toBe('SucceededPartial');
    expect(org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(good);
  });

  it('fails a deploy whose package.xml names a missing file', async () => {
    const zip = new JSZip();
    zip.file('package.xml', `<Package><types><members>Contact-Ghost</members><name>Layout</name></types></Package>`);
    const started = await call(
      org,
      'deploy',
      `<ZipFile>${(await zip.generateAsync({ type: 'nodebuffer' })).toString('base64')}</ZipFile>`
    );
    const status = await untilDone(
      org,
      'checkDeployStatus',
      `<asyncProcessId>${started.result.id}</asyncProcessId><includeDetails>true</includeDetails>`
    );
    expect([status.details.componentFailures].flat()[0].problem).toBe(
      "An object 'Contact-Ghost' of type Layout was named in package.xml, but was not found in zipped directory"
    );
  });
});
