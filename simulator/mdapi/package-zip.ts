// The zip files Metadata API retrieve returns and deploy accepts: a package.xml manifest plus one file per
// component under its type's folder (layouts/<fullName>.layout).
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deploy.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/manifest_samples.htm
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import { SimError } from '../errors.js';
import { asArray, asText, escapeXml } from './soap.js';

export type PackageTypes = Map<string, string[]>;

/**
 * Where each type this simulated org stores sits in a package: one file per component (`folder/<name>.suffix`),
 * a bundle folder (`lwc/<name>/`, every file of the component), or entries of a parent's file (each CustomLabel
 * is a `<labels>` element of `labels/CustomLabels.labels`). Folders and suffixes as SDR's registry and the Metadata
 * API Developer Guide name them (Metadata Types, "File Suffix and Directory Location" of each type).
 */
export type TypeFiles = { folder: string; suffix: string; bundle?: boolean; parent?: { fullName: string } };

export const TYPE_FILES: Record<string, TypeFiles> = {
  Layout: { folder: 'layouts', suffix: 'layout' },
  FlexiPage: { folder: 'flexipages', suffix: 'flexipage' },
  CustomObject: { folder: 'objects', suffix: 'object' },
  CustomApplication: { folder: 'applications', suffix: 'app' },
  CustomLabels: { folder: 'labels', suffix: 'labels' },
  CustomLabel: { folder: 'labels', suffix: 'labels', parent: { fullName: 'CustomLabels' } },
  LightningComponentBundle: { folder: 'lwc', suffix: '', bundle: true },
  // One file per settings type, settings/<Name>.settings: https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_settings.htm
  Settings: { folder: 'settings', suffix: 'settings' },
  // https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_useraccesspolicy.htm
  UserAccessPolicy: { folder: 'useraccesspolicies', suffix: 'useraccesspolicy' },
};

/** A component's path in a package: its file, its bundle folder, or its parent's file. */
export function componentPath(type: string, fullName: string): string {
  const files = TYPE_FILES[type];
  if (!files) return `${type}/${fullName}`;
  if (files.bundle) return `${files.folder}/${fullName}`;
  return `${files.folder}/${files.parent?.fullName ?? fullName}.${files.suffix}`;
}

/** The `types` of a manifest object (from the request's `unpackaged`, or a parsed package.xml). */
export function manifestTypes(manifest: unknown): PackageTypes {
  const types: PackageTypes = new Map();
  const root = (manifest ?? {}) as Record<string, unknown>;
  for (const entry of asArray(root.types as Record<string, unknown> | Array<Record<string, unknown>>)) {
    const name = asText(entry.name);
    const members = asArray(entry.members as string | string[]).map(asText);
    types.set(name, [...(types.get(name) ?? []), ...members]);
  }
  return types;
}

export function packageXml(types: PackageTypes, version: string): string {
  const blocks = [...types.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, members]) =>
        `    <types>\n${[...members]
          .sort()
          .map((m) => `        <members>${escapeXml(m)}</members>\n`)
          .join('')}        <name>${name}</name>\n    </types>\n`
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n${blocks}    <version>${version}</version>\n</Package>\n`;
}

export type ZipEntry = { path: string; content: Buffer };

/** A zip whose entries sit at the root (singlePackage) or under `unpackaged/`, as retrieve writes them. */
export async function buildZip(entries: ZipEntry[], prefix: string): Promise<Buffer> {
  const zip = new JSZip();
  for (const entry of entries) zip.file(`${prefix}${entry.path}`, entry.content);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export type DeployPackage = {
  types: PackageTypes;
  /** Component files by path relative to the package root (`layouts/Contact-Contact Layout.layout`). */
  files: Map<string, Buffer>;
  /** Where package.xml sat in the zip: '' at the root, or `<folder>/`. */
  root: string;
};

const manifestParser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });

/**
 * Opens a deploy zip: package.xml at the root or one folder down, and the files beside it. A zip that is not a
 * zip, or has no package.xml, is refused the way the org refuses it.
 */
export async function readDeployZip(zipBytes: Buffer): Promise<DeployPackage> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(zipBytes);
  } catch (error) {
    throw new SimError(500, 'INVALID_ZIP', `The deploy zip could not be read: ${(error as Error).message}`);
  }
  const manifestPath = Object.keys(zip.files)
    .filter((p) => /(^|\/)package\.xml$/.test(p) && p.split('/').length <= 2)
    .sort((a, b) => a.length - b.length)[0];
  if (manifestPath === undefined) {
    // https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deploy.htm ("package.xml" is required)
    throw new SimError(500, 'INVALID_ZIP', 'No package.xml found');
  }
  const root = manifestPath.slice(0, manifestPath.length - 'package.xml'.length);
  const manifestText = await zip.file(manifestPath)?.async('string');
  let types: PackageTypes;
  try {
    types = manifestTypes((manifestParser.parse(manifestText ?? '', true) as Record<string, unknown>).Package);
  } catch (error) {
    throw new SimError(500, 'INVALID_ZIP', `package.xml is not valid XML: ${(error as Error).message}`);
  }
  const files = new Map<string, Buffer>();
  for (const [path, entry] of Object.entries(zip.files)) {
    if (entry.dir || path === manifestPath || !path.startsWith(root)) continue;
    files.set(path.slice(root.length), await entry.async('nodebuffer'));
  }
  return { types, files, root };
}
