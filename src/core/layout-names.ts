import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

/** What listMetadata says about one layout (FileProperties, the fields this tool reads). */
export type LayoutListing = { fullName: string; namespacePrefix?: string; manageableState?: string };

/**
 * The name a layout must be retrieved and deployed by. listMetadata leaves the package namespace off the
 * layout half of a managed layout (`Contact-Layout` for `Contact-ns__Layout`); retrieve finds it only with the
 * namespace, so it is put back from namespacePrefix.
 * https://gearset.com/blog/retrieving-and-deploying-namespaced-layouts-in-salesforce/
 */
export function layoutFullName(listing: LayoutListing): string {
  const ns = listing.namespacePrefix;
  if (!ns || listing.manageableState === 'unmanaged') return listing.fullName;
  const dash = listing.fullName.indexOf('-');
  const layoutPart = listing.fullName.slice(dash + 1);
  if (layoutPart.startsWith(`${ns}__`)) return listing.fullName;
  return `${listing.fullName.slice(0, dash + 1)}${ns}__${layoutPart}`;
}

/** Names compared the way the org resolves them: percent-encoding and case do not matter. */
function canonical(name: string): string {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A stray % is kept as it is.
  }
  return decoded.toLowerCase();
}

/** The layout half without a namespace, so `Contact-ns__Layout` also answers to `Contact-Layout`. */
function withoutNamespace(name: string): string {
  const dash = name.indexOf('-');
  return `${name.slice(0, dash + 1)}${name.slice(dash + 1).replace(/^[A-Za-z][A-Za-z0-9]*__/, '')}`;
}

/**
 * The layouts to change: every one of `object` for `*`, else the named ones (with or without the managed
 * namespace, percent-encoded or not). A name the org does not have is an InputError listing what it has.
 */
export function selectLayouts(available: string[], targets: string[], object = 'Contact'): string[] {
  const ofObject = available.filter((name) => name.startsWith(`${object}-`)).sort();
  if (targets.includes('*')) return ofObject;
  const selected: string[] = [];
  const missing: string[] = [];
  for (const target of targets) {
    const wanted = canonical(target);
    const match =
      ofObject.find((name) => canonical(name) === wanted) ??
      ofObject.find((name) => canonical(withoutNamespace(name)) === wanted);
    if (match === undefined) missing.push(target);
    else if (!selected.includes(match)) selected.push(match);
  }
  if (missing.length > 0) {
    throw inputError(ERRORS, 'LayoutNotFound', [object, missing.map((m) => `"${m}"`).join(', ')], {
      actionTokens: [[object, ofObject.join(', ') || '(none)'], []],
      data: { missing, available: ofObject },
    });
  }
  return selected;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A package.xml manifest naming these members of one type. */
export function packageXml(type: string, members: string[], version: string): string {
  const lines = [...members].sort().map((m) => `        <members>${escapeXml(m)}</members>\n`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n    <types>\n${lines.join('')}        <name>${type}</name>\n    </types>\n    <version>${version}</version>\n</Package>\n`;
}
