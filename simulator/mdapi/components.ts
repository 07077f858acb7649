// The components of a deploy package and of a retrieve answer, for the three shapes the stored types take: one
// file per component, a bundle folder (LightningComponentBundle: every file of `lwc/<name>/`), and entries of a
// parent file (CustomLabel: a `<labels>` element of `labels/CustomLabels.labels`).
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_lightningcomponentbundle.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_customlabels.htm
import type { XmlElement } from '../../src/core/xml-scan.js';
import type { MetadataComponent } from '../org-state.js';
import { type LayoutProblem, parseComponent } from './layout-checks.js';
import { type DeployPackage, TYPE_FILES, componentPath } from './package-zip.js';

/** One component as a deploy package holds it. */
export type PackagedComponent = {
  type: string;
  fullName: string;
  /** Its file, bundle folder or parent file, relative to the package root. */
  path: string;
  /** The XML checked and stored: the file, a bundle's meta file, or a label's `<labels>` element. */
  content: string;
  /** A bundle's files by their path inside its folder. */
  files?: Record<string, string>;
  /** A label: the whole labels file and the label's element in it, for positions. */
  parent?: { text: string; element: XmlElement };
};

const textOf = (buffer: Buffer): string => buffer.toString('utf8');

function childText(element: XmlElement, local: string): string | undefined {
  return element.children.find((c) => c.local === local)?.text.trim();
}

/** The `<labels>` of a CustomLabels file by fullName, or the parser's problems. */
export function labelsOf(text: string): Map<string, XmlElement> | LayoutProblem[] {
  const parsed = parseComponent(text, 'CustomLabels');
  if ('problems' in parsed) return parsed.problems;
  const labels = new Map<string, XmlElement>();
  for (const element of parsed.root.children.filter((c) => c.local === 'labels')) {
    const name = childText(element, 'fullName');
    if (name) labels.set(name, element);
  }
  return labels;
}

/** The component `fullName` of `type` in a package, or why it is not there (undefined: the member has no file). */
export function unpack(
  pkg: DeployPackage,
  type: string,
  fullName: string
): PackagedComponent | LayoutProblem[] | undefined {
  const files = TYPE_FILES[type];
  if (!files) return undefined;
  const path = componentPath(type, fullName);
  if (files.bundle) {
    const prefix = `${path}/`;
    const bundle: Record<string, string> = {};
    for (const [file, bytes] of pkg.files)
      if (file.startsWith(prefix)) bundle[file.slice(prefix.length)] = textOf(bytes);
    if (Object.keys(bundle).length === 0) return undefined;
    return { type, fullName, path, content: bundle[`${fullName}.js-meta.xml`] ?? '', files: bundle };
  }
  const file = pkg.files.get(path);
  if (file === undefined) return undefined;
  const text = textOf(file);
  if (!files.parent) return { type, fullName, path, content: text };
  const labels = labelsOf(text);
  if (Array.isArray(labels)) return labels;
  const element = labels.get(fullName);
  if (!element) return undefined;
  return { type, fullName, path, content: text.slice(element.start, element.end), parent: { text, element } };
}

/** The files a retrieve answers for stored components of one type: their own, or their parent's built from them. */
export function retrieveEntries(
  type: string,
  components: MetadataComponent[]
): Array<{ path: string; content: string }> {
  const files = TYPE_FILES[type];
  if (files.bundle) {
    return components.flatMap((c) =>
      Object.entries(c.files ?? { [`${c.fullName}.js-meta.xml`]: c.content }).map(([file, content]) => ({
        path: `${componentPath(type, c.fullName)}/${file}`,
        content,
      }))
    );
  }
  if (files.parent)
    return components.length === 0 ? [] : [{ path: componentPath(type, ''), content: labelsFile(components) }];
  return components.map((c) => ({ path: componentPath(type, c.fullName), content: c.content }));
}

/** A CustomLabels file of stored labels, each `<labels>` element as it was deployed. */
export function labelsFile(labels: MetadataComponent[]): string {
  const body = [...labels]
    .sort((a, b) => a.fullName.localeCompare(b.fullName))
    .map((label) => `    ${label.content.trim()}\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">\n${body}</CustomLabels>\n`;
}

/** Whether a stored component differs from what is deployed over it. */
export function differs(
  existing: MetadataComponent | undefined,
  incoming: Pick<PackagedComponent, 'content' | 'files'>
): boolean {
  if (!existing) return true;
  if (incoming.files) {
    const sorted = (files: Record<string, string>): string => JSON.stringify(Object.entries(files).sort());
    return sorted(existing.files ?? {}) !== sorted(incoming.files);
  }
  return existing.content !== incoming.content;
}
