import { type XmlElement, scanXml } from './xml-scan.js';

// Which Lightning record page a user gets for an object. Activation in Lightning App Builder writes
// overrides of the View action with type Flexipage:
// - org default: the object's actionOverrides (CustomObject, https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customobject.htm, ActionOverride);
// - app default: the app's actionOverrides with pageOrSobjectType (CustomApplication,
//   https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_customapplication.htm);
//   pageOrSobjectType holds the object's name, as retrieved app files carry it (the guide's ProfileActionOverride
//   lists only record-home and standard-home, which are for home pages);
// - app, record type and profile: the app's profileActionOverrides (AppProfileActionOverride: profile, recordType).
// The most specific assignment wins: app + record type + profile, then app default, then org default, then the
// system default page (https://help.salesforce.com/s/articleView?id=sf.lightning_page_assignment_order.htm).

/**
 * Who gets a page. `phone` marks the Salesforce mobile app's assignment (formFactor Small), which Lightning App
 * Builder activates separately from the desktop one (formFactor Large).
 */
export type PageAssignment =
  | { kind: 'org-default'; phone?: true }
  | { kind: 'app-default'; app: string; phone?: true }
  | { kind: 'app-profile'; app: string; profile: string; recordType?: string; phone?: true };

/** One page users get, with every assignment that gives it; `page` is absent for the system default. */
export type PageInEffect = { page?: string; assignments: PageAssignment[] };

type Found = { page: string; assignment: PageAssignment };

function text(element: XmlElement, local: string): string | undefined {
  return element.children.find((c) => c.local === local)?.text.trim();
}

/**
 * The View overrides that assign a Lightning record page, each with whether it is the phone one. The ActionOverride
 * guide says an override without formFactor is for Salesforce Classic; Classic cannot show a Lightning page, so a
 * Flexipage override without one (as older projects' files have) is read as the desktop one: an assumption.
 */
function views(root: XmlElement, local: string, object: string, withObject: boolean): Array<[XmlElement, boolean]> {
  return root.children.flatMap((c): Array<[XmlElement, boolean]> => {
    if (c.local !== local || text(c, 'actionName') !== 'View' || text(c, 'type') !== 'Flexipage') return [];
    if (withObject && text(c, 'pageOrSobjectType') !== object) return [];
    const formFactor = text(c, 'formFactor') ?? 'Large';
    return formFactor === 'Large' || formFactor === 'Small' ? [[c, formFactor === 'Small']] : [];
  });
}

const onPhone = (phone: boolean): { phone?: true } => (phone ? { phone: true } : {});

/** The pages a CustomObject file assigns as the org default (its View overrides): desktop and phone. */
export function orgDefaultPages(objectXml: string, source: string): Found[] {
  const { root } = scanXml(objectXml, source);
  return views(root, 'actionOverrides', '', false).flatMap(([override, phone]) => {
    const page = text(override, 'content');
    return page ? [{ page, assignment: { kind: 'org-default' as const, ...onPhone(phone) } }] : [];
  });
}

/** The assignments one CustomApplication file makes for the object's record pages. */
export function appAssignments(appXml: string, app: string, object: string, source: string): Found[] {
  const { root } = scanXml(appXml, source);
  const found: Found[] = [];
  for (const [o, phone] of views(root, 'actionOverrides', object, true)) {
    const page = text(o, 'content');
    if (page) found.push({ page, assignment: { kind: 'app-default', app, ...onPhone(phone) } });
  }
  // ProfileActionOverride: a View override carries the record type it applies to (the guide makes recordType
  // required for View); files without one (older projects') apply to every record type.
  for (const [o, phone] of views(root, 'profileActionOverrides', object, true)) {
    const page = text(o, 'content');
    const profile = text(o, 'profile');
    const recordType = text(o, 'recordType');
    if (page && profile) {
      found.push({
        page,
        assignment: { kind: 'app-profile', app, profile, ...(recordType ? { recordType } : {}), ...onPhone(phone) },
      });
    }
  }
  return found;
}

/**
 * Every page in effect, the org defaults first. Where no org default is set (desktop or phone), users get the
 * system default page, listed once with the assignments it stands in for.
 */
export function pagesInEffect(orgDefaults: Found[], apps: Found[]): PageInEffect[] {
  const pages = new Map<string | undefined, PageAssignment[]>();
  const add = (page: string | undefined, assignment: PageAssignment): void => {
    pages.set(page, [...(pages.get(page) ?? []), assignment]);
  };
  const desktop = orgDefaults.find((d) => !d.assignment.phone);
  const phone = orgDefaults.find((d) => d.assignment.phone);
  add(desktop?.page, { kind: 'org-default' });
  if (phone) add(phone.page, phone.assignment);
  else if (!desktop) add(undefined, { kind: 'org-default', phone: true });
  for (const { page, assignment } of apps) add(page, assignment);
  return [...pages].map(([page, assignments]) => (page === undefined ? { assignments } : { page, assignments }));
}

export function describeAssignment(a: PageAssignment): string {
  const phone = a.phone ? ' (phone)' : '';
  if (a.kind === 'org-default') return `org default${phone}`;
  if (a.kind === 'app-default') return `${a.app} app default${phone}`;
  return `${a.app} app, profile ${a.profile}${a.recordType ? `, record type ${a.recordType}` : ''}${phone}`;
}
