// Metadata API over SOAP: listMetadata, retrieve/checkRetrieveStatus and deploy/checkDeployStatus with real
// zip files, for the component types the simulated org stores (page layouts, Lightning pages, the View overrides
// of objects and apps, Lightning web components, Custom Labels, settings and user access policies).
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_calls_intro.htm
import { SimError } from '../errors.js';
import { type PackagedComponent, differs, labelsFile, labelsOf, retrieveEntries, unpack } from '../mdapi/components.js';
import { checkFlexiPage, checkOverrides } from '../mdapi/flexipage-checks.js';
import { checkLabel, checkLabelsFile } from '../mdapi/label-checks.js';
import { type LayoutProblem, METADATA_NS, at, checkLayout, parseComponent } from '../mdapi/layout-checks.js';
import { type BundleProblem, checkBundle, componentOf } from '../mdapi/lwc-checks.js';
import {
  TYPE_FILES,
  type ZipEntry,
  buildZip,
  componentPath,
  manifestTypes,
  packageXml,
  readDeployZip,
} from '../mdapi/package-zip.js';
import { SETTINGS_DEFAULTS, readSettings } from '../mdapi/settings.js';
import {
  asArray,
  asBoolean,
  asText,
  escapeXml,
  readSoapCall,
  soapResult,
  soapResultXml,
  toXml,
} from '../mdapi/soap.js';
import { checkUserAccessPolicy, storedOnDeploy } from '../mdapi/user-access-policy.js';
import { type MetadataComponent, type OrgState, formatDateTime } from '../org-state.js';
import type { Route, SimRequest, SimResponse } from '../types.js';

type DeployMessage = {
  changed: boolean;
  columnNumber?: number;
  componentType: string;
  created: boolean;
  createdDate: string;
  deleted: boolean;
  fileName: string;
  fullName: string;
  id?: string;
  lineNumber?: number;
  problem?: string;
  problemType?: 'Error' | 'Warning';
  success: boolean;
};

type DeployJob = { kind: 'deploy'; result: Record<string, unknown>; details: Record<string, unknown>; checks?: number };
type RetrieveJob = { kind: 'retrieve'; result: Record<string, unknown>; checks?: number };

/**
 * A real org is still working when it is first asked: the first status check of a deploy or retrieve reports it
 * InProgress and not done (DeployResult and RetrieveResult keep done false until the work completes:
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deployresult.htm,
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_retrieveresult.htm), the next one
 * the result.
 */
function firstCheck(job: Job): boolean {
  job.checks = (job.checks ?? 0) + 1;
  return job.checks === 1;
}
type Job = DeployJob | RetrieveJob;

// Jobs live with the org they ran against, so a simulator reset forgets them.
const jobsByOrg = new WeakMap<OrgState, Map<string, Job>>();
let jobCounter = 0;

function jobs(org: OrgState): Map<string, Job> {
  let map = jobsByOrg.get(org);
  if (!map) {
    map = new Map();
    jobsByOrg.set(org, map);
  }
  return map;
}

/** Async process ids: 0Af for deploys, 09S for retrieves (the key prefixes real orgs use). */
function newJobId(prefix: string): string {
  jobCounter += 1;
  return `${prefix}5g00000${String(jobCounter).padStart(5, '0')}AAA`;
}

function userName(org: OrgState, userId: string | undefined): string {
  const user = userId ? org.get('User', userId) : undefined;
  return String(user?.Name ?? user?.Username ?? 'Admin User');
}

/** Names compared the way the org resolves them: percent-encoded characters and case do not matter. */
function canonical(name: string): string {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A stray % stays as it is.
  }
  return decoded.toLowerCase();
}

/**
 * The name listMetadata reports. For layouts installed from a managed package it leaves out the namespace on
 * the layout half (`Contact-Layout Name` for `Contact-ns__Layout Name`), a long-standing quirk callers rebuild
 * from namespacePrefix: https://gearset.com/blog/retrieving-and-deploying-namespaced-layouts-in-salesforce/
 */
function listedName(component: MetadataComponent): string {
  const ns = component.namespacePrefix;
  if (component.type !== 'Layout' || !ns) return component.fullName;
  const dash = component.fullName.indexOf('-');
  const layoutPart = component.fullName.slice(dash + 1);
  return layoutPart.startsWith(`${ns}__`)
    ? `${component.fullName.slice(0, dash + 1)}${layoutPart.slice(ns.length + 2)}`
    : component.fullName;
}

/**
 * The stored components of a type. Custom Labels are stored one by one (CustomLabel); the CustomLabels component
 * is their file, made from them.
 */
function storedOf(org: OrgState, type: string): MetadataComponent[] {
  if (type !== 'CustomLabels') return TYPE_FILES[type] ? org.listMetadata(type) : [];
  const labels = org.listMetadata('CustomLabel');
  if (labels.length === 0) return [];
  const dates = labels.map((l) => l.lastModifiedDate).sort();
  return [
    {
      type,
      fullName: 'CustomLabels',
      content: labelsFile(labels),
      manageableState: 'unmanaged',
      id: 'SIMCustomLabels',
      createdDate: labels.map((l) => l.createdDate).sort()[0],
      lastModifiedDate: dates[dates.length - 1],
    },
  ];
}

/** FileProperties: https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_listmetadata.htm */
function fileProperties(
  org: OrgState,
  component: MetadataComponent,
  fullName: string,
  userId?: string
): Record<string, unknown> {
  return {
    createdById: userId ?? '',
    createdByName: userName(org, userId),
    createdDate: component.createdDate,
    fileName: componentPath(component.type, fullName),
    fullName,
    id: component.id,
    lastModifiedById: userId ?? '',
    lastModifiedByName: userName(org, userId),
    lastModifiedDate: component.lastModifiedDate,
    manageableState: component.manageableState,
    ...(component.namespacePrefix ? { namespacePrefix: component.namespacePrefix } : {}),
    type: component.type,
  };
}

function listMetadata(req: SimRequest, org: OrgState, params: Record<string, unknown>): SimResponse {
  const queries = asArray(params.queries as Record<string, unknown> | Array<Record<string, unknown>>);
  // https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_listmetadata.htm: up to three queries per call.
  if (queries.length > 3) throw new SimError(500, 'INVALID_QUERY', 'listMetadata accepts at most 3 queries.');
  const results = queries.flatMap((query) => {
    const type = asText(query.type);
    return storedOf(org, type).map((c) => fileProperties(org, c, listedName(c), req.userId));
  });
  return soapResult('listMetadata', results);
}

/**
 * retrieve: the requested members, zipped with a package.xml. A member that does not exist is reported in
 * `messages` ("Entity of type 'Layout' named 'X' cannot be found") rather than failing the retrieve; `*`
 * returns unmanaged components only.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_retrieve_request.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_retrieveresult.htm
 */
async function retrieve(req: SimRequest, org: OrgState, params: Record<string, unknown>): Promise<SimResponse> {
  const request = (params.request ?? {}) as Record<string, unknown>;
  const version = asText(request.apiVersion) || req.apiVersion || '62.0';
  const singlePackage = asBoolean(request.singlePackage);
  const prefix = singlePackage ? '' : 'unpackaged/';
  const requested = manifestTypes(request.unpackaged);
  const found = new Map<string, string[]>();
  const picked = new Map<string, Map<string, MetadataComponent>>();
  const properties: Array<Record<string, unknown>> = [];
  const messages: Array<Record<string, unknown>> = [];
  for (const [type, members] of requested) {
    const stored = storedOf(org, type);
    const ofType = new Map<string, MetadataComponent>();
    for (const member of members) {
      if (member === '*') {
        for (const c of stored) if (c.manageableState === 'unmanaged') ofType.set(c.fullName, c);
        continue;
      }
      const component = stored.find((c) => canonical(c.fullName) === canonical(member));
      if (component) ofType.set(component.fullName, component);
      else
        messages.push({
          fileName: `${prefix}package.xml`,
          problem: `Entity of type '${type}' named '${member}' cannot be found`,
        });
    }
    if (ofType.size === 0) continue;
    found.set(type, [...ofType.keys()]);
    picked.set(type, ofType);
    for (const component of ofType.values()) {
      properties.push(fileProperties(org, component, component.fullName, req.userId));
    }
  }
  // Labels asked for by name share one file with the CustomLabels component: written once, holding them all.
  const labels = picked.get('CustomLabels')
    ? org.listMetadata('CustomLabel')
    : [...(picked.get('CustomLabel')?.values() ?? [])];
  picked.delete('CustomLabels');
  picked.set('CustomLabel', new Map(labels.map((l) => [l.fullName, l])));
  const entries: ZipEntry[] = [...picked].flatMap(([type, ofType]) =>
    retrieveEntries(type, [...ofType.values()]).map((e) => ({ path: e.path, content: Buffer.from(e.content, 'utf8') }))
  );
  entries.push({ path: 'package.xml', content: Buffer.from(packageXml(found, version), 'utf8') });
  const zip = await buildZip(entries, prefix);
  const id = newJobId('09S');
  jobs(org).set(id, {
    kind: 'retrieve',
    result: {
      done: true,
      fileProperties: properties.sort((a, b) => String(a.fileName).localeCompare(String(b.fileName))),
      id,
      messages,
      status: 'Succeeded',
      success: true,
      zipFile: zip.toString('base64'),
    },
  });
  return soapResult('retrieve', [{ done: false, id, state: 'Queued' }]);
}

function checkRetrieveStatus(org: OrgState, params: Record<string, unknown>): SimResponse {
  const job = jobs(org).get(asText(params.asyncProcessId));
  if (job?.kind !== 'retrieve') throw new SimError(500, 'INVALID_ID_FIELD', 'Invalid or inaccessible id');
  if (firstCheck(job)) {
    return soapResult('checkRetrieveStatus', [
      { done: false, id: job.result.id, status: 'InProgress', success: false },
    ]);
  }
  const includeZip = asBoolean(params.includeZip, true);
  const result = { ...job.result };
  if (!includeZip) delete result.zipFile;
  return soapResult('checkRetrieveStatus', [result]);
}

function message(
  fields: Partial<DeployMessage> & Pick<DeployMessage, 'fileName' | 'fullName' | 'success'>,
  now: string
): DeployMessage {
  return { changed: false, componentType: '', created: false, createdDate: now, deleted: false, ...fields };
}

type Save = Pick<PackagedComponent, 'type' | 'fullName' | 'content' | 'files'>;

/** What the rest of a deploy brings that a component may refer to: its labels and its Lightning web components. */
type DeployContext = {
  labels: Set<string>;
  components: Set<string>;
  bundles: Array<ReturnType<typeof componentOf>>;
  pages: Set<string>;
};

function deployContext(components: PackagedComponent[]): DeployContext {
  const labels = new Set<string>();
  for (const c of components) {
    if (c.type === 'CustomLabel') labels.add(c.fullName.toLowerCase());
    if (c.type === 'CustomLabels') {
      const inFile = labelsOf(c.content);
      if (!Array.isArray(inFile)) for (const name of inFile.keys()) labels.add(name.toLowerCase());
    }
  }
  const bundles = components.filter((c) => c.type === 'LightningComponentBundle');
  return {
    labels,
    components: new Set(bundles.map((b) => b.fullName.toLowerCase())),
    bundles: bundles.map((b) => componentOf(b.fullName, b.content)),
    pages: new Set(components.filter((c) => c.type === 'FlexiPage').map((c) => c.fullName)),
  };
}

/**
 * Settings components are named after their type less "Settings" (`LightningExperience` holds a
 * LightningExperienceSettings element): https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_settings.htm.
 * A user access policy file holds a UserAccessPolicy element; its fields are checked in mdapi/user-access-policy.ts.
 */
function rootProblems(xml: string, fullName: string, expected: string): LayoutProblem[] {
  const parsed = parseComponent(xml, fullName);
  if ('problems' in parsed) return parsed.problems;
  if (parsed.root.local === expected) return [];
  return [
    {
      problem: `Element ${METADATA_NS}${parsed.root.local} invalid at this location in type ${expected}`,
      ...at(xml, parsed.root),
    },
  ];
}

function check(
  org: OrgState,
  component: PackagedComponent,
  context: DeployContext,
  userId: string | undefined
): Array<LayoutProblem & Partial<Pick<BundleProblem, 'file'>>> {
  const { type, fullName, content } = component;
  switch (type) {
    case 'Layout':
      return checkLayout(org, fullName, content);
    case 'FlexiPage':
      return checkFlexiPage(org, fullName, content, context.bundles);
    case 'CustomObject':
    case 'CustomApplication':
      return checkOverrides(org, content, fullName, context.pages);
    case 'LightningComponentBundle':
      return checkBundle(org, fullName, component.files ?? {}, context);
    case 'CustomLabels':
      return checkLabelsFile(content);
    case 'CustomLabel':
      return component.parent ? checkLabel(component.parent.text, component.parent.element) : [];
    case 'Settings':
      return rootProblems(content, fullName, `${fullName}Settings`);
    case 'UserAccessPolicy': {
      const root = rootProblems(content, fullName, 'UserAccessPolicy');
      return root.length > 0 ? root : checkUserAccessPolicy(org, fullName, content, userId);
    }
    default:
      return [];
  }
}

/** What deploying a component stores: itself, or (a labels file) each of its labels. */
function savesOf(component: PackagedComponent): Save[] {
  if (component.type !== 'CustomLabels') return [component];
  const labels = labelsOf(component.content);
  if (Array.isArray(labels)) return [];
  return [...labels].map(([fullName, element]) => ({
    type: 'CustomLabel',
    fullName,
    content: component.content.slice(element.start, element.end),
  }));
}

function labelsChange(org: OrgState, component: PackagedComponent): boolean {
  return savesOf(component).some((save) => differs(org.getMetadata(save.type, save.fullName), save));
}

/** Saves a component; a Lightning web component becomes one Lightning pages may place. */
function store(org: OrgState, save: Save): void {
  org.putMetadata(save.type, save.fullName, save.content, save.files ? { files: save.files } : {});
  if (save.type !== 'LightningComponentBundle') return;
  const component = componentOf(save.fullName, save.content);
  const at = org.lightningComponents.findIndex((c) => c.name === component.name && (c.namespace ?? 'c') === 'c');
  if (at >= 0) org.lightningComponents.splice(at, 1, component);
  else org.lightningComponents.push(component);
}

/**
 * deploy: every component is checked first; with rollbackOnError (what SDR sends) one failure fails the whole
 * deploy and nothing is saved; checkOnly validates and saves nothing. A successful component reports
 * `changed`/`created` against what the org held.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deploy.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deployresult.htm
 */
async function deploy(req: SimRequest, org: OrgState, params: Record<string, unknown>): Promise<SimResponse> {
  const options = (params.DeployOptions ?? {}) as Record<string, unknown>;
  const checkOnly = asBoolean(options.checkOnly);
  const rollbackOnError = asBoolean(options.rollbackOnError, true);
  const now = formatDateTime(org.now());
  const successes: DeployMessage[] = [];
  const failures: DeployMessage[] = [];
  const saves = new Map<string, Save>();
  let total = 0;
  try {
    const pkg = await readDeployZip(Buffer.from(asText(params.ZipFile), 'base64'));
    const components: PackagedComponent[] = [];
    for (const [type, members] of pkg.types) {
      for (const fullName of members) {
        total += 1;
        const base = { componentType: type, fileName: `${pkg.root}${componentPath(type, fullName)}`, fullName };
        const unpacked = unpack(pkg, type, fullName);
        if (Array.isArray(unpacked)) {
          for (const p of unpacked)
            failures.push(message({ ...base, success: false, problemType: 'Error', ...p }, now));
        } else if (unpacked === undefined) {
          failures.push(
            message(
              {
                ...base,
                success: false,
                problemType: 'Error',
                problem: `An object '${fullName}' of type ${type} was named in package.xml, but was not found in zipped directory`,
              },
              now
            )
          );
        } else {
          components.push(unpacked);
        }
      }
    }
    const context = deployContext(components);
    for (const component of components) {
      const base = {
        componentType: component.type,
        fileName: `${pkg.root}${component.path}`,
        fullName: component.fullName,
      };
      const problems = check(org, component, context, req.userId);
      if (problems.length > 0) {
        for (const { file, ...p } of problems) {
          const fileName = file ? `${pkg.root}${component.path}/${file}` : base.fileName;
          failures.push(message({ ...base, fileName, success: false, problemType: 'Error', ...p }, now));
        }
        continue;
      }
      // A policy always lands in Design status, whatever the file says (see mdapi/user-access-policy.ts).
      const stored =
        component.type === 'UserAccessPolicy'
          ? { ...component, content: storedOnDeploy(component.content) }
          : component;
      const existing = org.getMetadata(stored.type, stored.fullName);
      const changed = stored.type === 'CustomLabels' ? labelsChange(org, stored) : differs(existing, stored);
      successes.push(
        message({ ...base, success: true, changed, created: existing === undefined && changed, id: existing?.id }, now)
      );
      for (const save of savesOf(stored)) {
        if (differs(org.getMetadata(save.type, save.fullName), save)) saves.set(`${save.type}:${save.fullName}`, save);
      }
    }
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    failures.push(
      message(
        {
          fileName: 'package.xml',
          fullName: 'package.xml',
          success: false,
          problemType: 'Error',
          problem: error.message,
        },
        now
      )
    );
  }
  const failed = failures.length > 0 && (rollbackOnError || successes.length === 0);
  const save = !checkOnly && !failed;
  if (save) for (const s of saves.values()) store(org, s);
  const status = failures.length === 0 ? 'Succeeded' : failed ? 'Failed' : 'SucceededPartial';
  const manifest = message({ fileName: 'package.xml', fullName: 'package.xml', success: true, changed: true }, now);
  const id = newJobId('0Af');
  jobs(org).set(id, {
    kind: 'deploy',
    result: {
      checkOnly,
      completedDate: now,
      createdBy: req.userId ?? '',
      createdByName: userName(org, req.userId),
      createdDate: now,
      done: true,
      id,
      ignoreWarnings: asBoolean(options.ignoreWarnings),
      lastModifiedDate: now,
      numberComponentErrors: failures.length,
      numberComponentsDeployed: failed ? 0 : successes.length,
      numberComponentsTotal: total,
      numberTestErrors: 0,
      numberTestsCompleted: 0,
      numberTestsTotal: 0,
      rollbackOnError,
      runTestsEnabled: false,
      startDate: now,
      status,
      success: !failed,
    },
    details: {
      componentFailures: failures,
      componentSuccesses: failed ? [] : [manifest, ...successes],
      runTestResult: { numFailures: 0, numTestsRun: 0, totalTime: 0 },
    },
  });
  return { ...soapResult('deploy', [{ done: false, id, state: 'Queued' }]), write: save && saves.size > 0 };
}

function checkDeployStatus(org: OrgState, params: Record<string, unknown>): SimResponse {
  const job = jobs(org).get(asText(params.asyncProcessId));
  if (job?.kind !== 'deploy') throw new SimError(500, 'INVALID_ID_FIELD', 'Invalid or inaccessible id');
  if (firstCheck(job)) {
    return soapResult('checkDeployStatus', [
      { ...job.result, done: false, status: 'InProgress', success: false, numberComponentsDeployed: 0 },
    ]);
  }
  const includeDetails = asBoolean(params.includeDetails);
  return soapResult('checkDeployStatus', [includeDetails ? { ...job.result, details: job.details } : job.result]);
}

/**
 * readMetadata of settings types: the values of the org's Settings component, or the defaults of one nobody has
 * changed (every org has its settings). `UserManagementSettings` with fullName `UserManagement` reads
 * settings/UserManagement.settings. Other types are not implemented.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_readMetadata.htm
 */
function readMetadata(org: OrgState, params: Record<string, unknown>): SimResponse {
  const type = asText(params.type);
  const match = /^(.+)Settings$/.exec(type);
  if (!match) {
    throw new SimError(500, 'UNKNOWN_EXCEPTION', `The simulated org does not implement readMetadata for ${type}.`);
  }
  const records = asArray(params.fullNames as string | string[]).map((fullName) => {
    const name = asText(fullName);
    if (name !== match[1]) return '<records xsi:nil="true"/>';
    const stored = org.getMetadata('Settings', name)?.content;
    const values = { ...SETTINGS_DEFAULTS[name], ...(stored === undefined ? {} : readSettings(stored)) };
    const fields = Object.entries(values)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => toXml(value, key))
      .join('');
    return `<records xsi:type="${type}"><fullName>${escapeXml(name)}</fullName>${fields}</records>`;
  });
  return soapResultXml('readMetadata', `<result>${records.join('')}</result>`);
}

async function handle(req: SimRequest, org: OrgState): Promise<SimResponse> {
  const { operation, params } = readSoapCall(req.text);
  switch (operation) {
    case 'listMetadata':
      return listMetadata(req, org, params);
    case 'retrieve':
      return retrieve(req, org, params);
    case 'checkRetrieveStatus':
      return checkRetrieveStatus(org, params);
    case 'deploy':
      return deploy(req, org, params);
    case 'checkDeployStatus':
      return checkDeployStatus(org, params);
    case 'readMetadata':
      return readMetadata(org, params);
    default:
      throw new SimError(
        500,
        'UNKNOWN_EXCEPTION',
        `The simulated org does not implement the Metadata API call ${operation}.`
      );
  }
}

export const routes: Route[] = [
  {
    // The Metadata API endpoint: POST /services/Soap/m/<version>, SOAPAction "" (recorded in toolchain.md, Q4).
    method: 'POST',
    pattern: /^\/services\/Soap\/m\/\d+\.\d+\/?$/,
    api: 'soap',
    handle: (req, _match, org) => handle(req, org),
  },
];
