import { type XmlElement, scanXml } from './xml-scan.js';

// Which Lightning record page a user gets for an object. Activation in Lightning App Builder writes
// overrides of the View action with type Flexipage:
// - org default: the object's actionOverrides (CustomObject, https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customobject.htm, ActionOverride);
// - app default: the app's actionOverrides with pageOrSobjectType (CustomApplication,
//   https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_customapplication.htm);
// - app, record type and profile: the app's profileActionOverrides (AppProfileActionOverride: profile, recordType).
// The most specific assignment wins: app + record type + profile, then app default, then org default, then the
// system default page (https://help.salesforce.com/s/articleView?id=sf.lightning_page_assignment_order.htm).

export type PageAssignment =
  | { kind: 'org-default' }
  | { kind: 'app-default'; app: string }
  | { kind: 'app-profile'; app: string; profile: string; recordType?: string };

/** One page users get, with every assignment that gives it; `page` is absent for the system default. */
export type PageInEffect = { page?: string; assignments: PageAssignment[] };

function text(element: XmlElement, local: string): string | undefined {
  return element.children.find((c) => c.local === local)?.text.trim();
}

function views(root: XmlElement, local: string, object: string, withObject: boolean): XmlElement[] {
  return root.children.filter(
    (c) =>
      c.local === local &&
      text(c, 'actionName') === 'View' &&
      text(c, 'type') === 'Flexipage' &&
      // Desktop only: formFactor Small is the phone page; absent means Large.
      (text(c, 'formFactor') ?? 'Large') === 'Large' &&
      (!withObject || text(c, 'pageOrSobjectType') === object)
  );
}

/** The page a CustomObject file assigns as the org default (its View override), if any. */
export function orgDefaultPage(objectXml: string, source: string): string | undefined {
  const { root } = scanXml(objectXml, source);
  const override = views(root, 'actionOverrides', '', false)[0];
  return override ? text(override, 'content') : undefined;
}

/** The assignments one CustomApplication file makes for the object's record pages. */
export function appAssignments(
  appXml: string,
  app: string,
  object: string,
  source: string
): Array<{ page: string; assignment: PageAssignment }> {
  const { root } = scanXml(appXml, source);
  const found: Array<{ page: string; assignment: PageAssignment }> = [];
  for (const o of views(root, 'actionOverrides', object, true)) {
    const page = text(o, 'content');
    if (page) found.push({ page, assignment: { kind: 'app-default', app } });
  }
  for (const o of views(root, 'profileActionOverrides', object, true)) {
    const page = text(o, 'content');
    const profile = text(o, 'profile');
    const recordType = text(o, 'recordType');
    if (page && profile) {
      found.push({ page, assignment: { kind: 'app-profile', app, profile, ...(recordType ? { recordType } : {}) } });
    }
  }
  return found;
}

/** Every page in effect, the org default first; the system default when no org default is set. */
export function pagesInEffect(
  orgDefault: string | undefined,
  apps: Array<{ page: string; assignment: PageAssignment }>
): PageInEffect[] {
  const pages = new Map<string | undefined, PageAssignment[]>();
  pages.set(orgDefault, [{ kind: 'org-default' }]);
  for (const { page, assignment } of apps) pages.set(page, [...(pages.get(page) ?? []), assignment]);
  return [...pages].map(([page, assignments]) => (page === undefined ? { assignments } : { page, assignments }));
}

export function describeAssignment(a: PageAssignment): string {
  if (a.kind === 'org-default') return 'org default';
  if (a.kind === 'app-default') return `${a.app} app default`;
  return `${a.app} app, profile ${a.profile}${a.recordType ? `, record type ${a.recordType}` : ''}`;
}
