import type { Connection } from '@salesforce/core';
import JSZip from 'jszip';
import { operationError } from '../core/errors.js';
import { packageXml } from '../core/layout-names.js';
import { ERRORS } from '../core/messages.js';
import { clock } from './clock.js';

/** How long to wait between status checks: short first (small deploys finish in a second), then backing off. */
export type PollOptions = { firstMs?: number; maxMs?: number; timeoutMs?: number };

const DEFAULT_POLL: Required<PollOptions> = { firstMs: 250, maxMs: 4000, timeoutMs: 10 * 60_000 };

async function poll<T extends { done: boolean }>(
  check: () => Promise<T>,
  what: string,
  options: PollOptions
): Promise<T> {
  const { firstMs, maxMs, timeoutMs } = { ...DEFAULT_POLL, ...options };
  const deadline = clock().now() + timeoutMs;
  let wait = firstMs;
  for (;;) {
    await clock().sleep(wait);
    const status = await check();
    if (status.done) return status;
    if (clock().now() + wait > deadline) {
      throw operationError(ERRORS, 'MetadataTimeout', [what, Math.round(timeoutMs / 1000)]);
    }
    wait = Math.min(wait * 2, maxMs);
  }
}

export type Listing = { fullName: string; namespacePrefix?: string; manageableState?: string; fileName: string };

/** One listMetadata call for one type. */
export async function listComponents(conn: Connection, type: string): Promise<Listing[]> {
  const rows = await conn.metadata.list([{ type }]);
  return [rows]
    .flat()
    .filter((row) => row !== undefined && row !== null)
    .map((row) => ({
      fullName: row.fullName,
      namespacePrefix: row.namespacePrefix ?? undefined,
      manageableState: row.manageableState ?? undefined,
      fileName: row.fileName,
    }));
}

export type Retrieved = {
  /** File bytes by component fullName, exactly as the org sent them. */
  files: Map<string, Buffer>;
  /** Components the org reported it could not find, with its message. */
  problems: Array<{ fileName: string; problem: string }>;
};

/** One type's part of a retrieve: the members, and where their files sit in the zip. */
export type RetrieveRequest = { type: string; folder: string; suffix: string; members: string[] };

/**
 * Retrieves the named components of several types in a single retrieve (metadata format, singlePackage), and
 * returns their raw bytes by type, then fullName.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_retrieve.htm
 */
export async function retrieveTypes(
  conn: Connection,
  requests: RetrieveRequest[],
  options: PollOptions = {}
): Promise<{ byType: Map<string, Map<string, Buffer>>; problems: Retrieved['problems'] }> {
  const version = conn.getApiVersion();
  const started = await conn.metadata.retrieve({
    apiVersion: version,
    singlePackage: true,
    unpackaged: { types: requests.map((r) => ({ name: r.type, members: r.members })), version },
  } as unknown as Parameters<typeof conn.metadata.retrieve>[0]);
  const result = await poll(() => conn.metadata.checkRetrieveStatus(started.id), 'retrieve', options);
  if (!result.success) {
    throw operationError(ERRORS, 'RetrieveFailed', [result.errorMessage ?? result.status]);
  }
  const zip = await JSZip.loadAsync(Buffer.from(result.zipFile, 'base64'));
  const byType = new Map(requests.map((r) => [r.type, new Map<string, Buffer>()]));
  for (const [path, entry] of Object.entries(zip.files)) {
    if (entry.dir) continue;
    for (const r of requests) {
      const match = new RegExp(`(?:^|/)${r.folder}/(.+)\\.${r.suffix}$`).exec(path);
      if (match) byType.get(r.type)?.set(match[1], await entry.async('nodebuffer'));
    }
  }
  const problems = [result.messages ?? []].flat().map((m) => ({ fileName: m.fileName, problem: m.problem }));
  return { byType, problems };
}

/** Retrieves the named components of one type in a single retrieve, and returns their raw bytes. */
export async function retrieveComponents(
  conn: Connection,
  type: string,
  folder: string,
  suffix: string,
  fullNames: string[],
  options: PollOptions = {}
): Promise<Retrieved> {
  const { byType, problems } = await retrieveTypes(conn, [{ type, folder, suffix, members: fullNames }], options);
  return { files: byType.get(type) ?? new Map<string, Buffer>(), problems };
}

export type ComponentProblem = { fullName: string; problem: string; line?: number; column?: number };

export type DeployOutcome = {
  id: string;
  success: boolean;
  status: string;
  /** fullNames the org reported as changed (created or updated). */
  changed: string[];
  problems: ComponentProblem[];
};

/**
 * Deploys components of one type in one deploy (one zip: package.xml plus the files), waits for it, and
 * returns what the org reported per component. checkOnly validates without saving.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deploy.htm
 */
export async function deployComponents(
  conn: Connection,
  type: string,
  folder: string,
  suffix: string,
  files: Map<string, Buffer>,
  deployOptions: { checkOnly: boolean },
  options: PollOptions = {}
): Promise<DeployOutcome> {
  const zip = new JSZip();
  zip.file('package.xml', packageXml(type, [...files.keys()], conn.getApiVersion()));
  for (const [fullName, bytes] of files) zip.file(`${folder}/${fullName}.${suffix}`, bytes);
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  const started = await conn.metadata.deploy(buffer, {
    checkOnly: deployOptions.checkOnly,
    rollbackOnError: true,
    singlePackage: true,
    ignoreWarnings: false,
  });
  const result = await poll(() => conn.metadata.checkDeployStatus(started.id, true), 'deploy', options);
  const details = result.details ?? {};
  const successes = [details.componentSuccesses ?? []].flat();
  const failures = [details.componentFailures ?? []].flat();
  return {
    id: result.id,
    success: result.success,
    status: result.status,
    changed: successes.filter((m) => m.componentType === type && (m.changed || m.created)).map((m) => m.fullName),
    problems: [
      ...failures.map((m) => ({
        fullName: m.fullName,
        problem: m.problem ?? 'failed',
        line: m.lineNumber ?? undefined,
        column: m.columnNumber ?? undefined,
      })),
      ...(failures.length === 0 && !result.success
        ? [{ fullName: '', problem: result.errorMessage ?? `The deploy ended ${result.status}.` }]
        : []),
    ],
  };
}
