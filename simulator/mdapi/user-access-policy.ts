// User access policies as the simulated org keeps them: the UserAccessPolicy metadata component (XML), what a
// deploy of one checks and stores, and the Tooling row that mirrors it.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_useraccesspolicy.htm
import type { XmlElement } from '../../src/core/xml-scan.js';
import type { OrgState } from '../org-state.js';
import { type LayoutProblem, METADATA_NS, at, parseComponent } from './layout-checks.js';
import { settingValue } from './settings.js';

// The enumerations of the Metadata API guide's UserAccessPolicy page: status (UserAccessPolicyStatus) lists Active,
// Completed, Design, Failed, Migrate, Testing and Updating.
const STATUSES = ['Active', 'Completed', 'Design', 'Failed', 'Migrate', 'Testing', 'Updating'];
const TRIGGER_TYPES = ['Create', 'CreateAndUpdate', 'Update'];
const ACTIONS = ['Grant', 'Revoke'];
const ACTION_TYPES = [
  'Group',
  'PackageLicense',
  'PermissionSet',
  'PermissionSetGroup',
  'PermissionSetLicense',
  'Queue',
];
// UserAccessPolicyFilterOperation, as the same page lists it: equals and notEquals, in (API 58.0+), equalsIgnoreCase
// and includes (API 59.0+). The simulated org takes each at any API version (an assumption: it does not check the
// version a deploy names). ce-connect itself writes equals only.
const OPERATIONS = ['equals', 'equalsIgnoreCase', 'in', 'includes', 'notEquals'];
const FILTER_TYPES = [...ACTION_TYPES, 'Profile', 'User', 'UserRole'];

/**
 * How a policy filter names a profile: the guide says only "the developer name of the specific resource" (its
 * sample names a custom profile, SalesRepCustomProfile). That a standard profile goes by its Metadata API name
 * ("Standard User" is `Standard`, as the Tooling API's Profile.FullName shows it,
 * https://salesforce.stackexchange.com/questions/113370) is an assumption, the same one src/core/user-access-policy.ts
 * makes; custom profiles are assumed to be named as they are labelled.
 */
const STANDARD_PROFILE_NAMES: Record<string, string> = {
  'System Administrator': 'Admin',
  'Standard User': 'Standard',
  'Read Only': 'ReadOnly',
  'Contract Manager': 'ContractManager',
  'Marketing User': 'MarketingProfile',
  'Solution Manager': 'SolutionManager',
  'Standard Platform User': 'StandardAul',
};

function childText(element: XmlElement, local: string): string | undefined {
  return element.children.find((c) => c.local === local)?.text.trim();
}

export type StoredPolicy = {
  masterLabel?: string;
  description?: string;
  booleanFilter?: string;
  status?: string;
  triggerType?: string;
  order?: string;
};

/** The top-level values of a policy's XML (for its Tooling row), or undefined when it does not parse. */
export function readPolicy(xml: string, fullName: string): StoredPolicy | undefined {
  const parsed = parseComponent(xml, fullName);
  if ('problems' in parsed) return undefined;
  const { root } = parsed;
  return {
    masterLabel: childText(root, 'masterLabel'),
    description: childText(root, 'description'),
    booleanFilter: childText(root, 'booleanFilter'),
    status: childText(root, 'status'),
    triggerType: childText(root, 'triggerType'),
    order: childText(root, 'order'),
  };
}

/** User access policies can be deployed only where the setting is on (assumption: Salesforce refuses them otherwise). */
export function userAccessPoliciesEnabled(org: OrgState): boolean {
  return (
    settingValue(
      org.getMetadata('Settings', 'UserManagement')?.content,
      'UserManagement',
      'userAccessPoliciesEnabled'
    ) === 'true'
  );
}

function targetExists(org: OrgState, type: string, target: string): boolean {
  const managed = /^([A-Za-z0-9]+)__(.+)$/.exec(target);
  const [namespace, name] = managed ? [managed[1], managed[2]] : [null, target];
  switch (type) {
    case 'PermissionSet':
      return (
        org.findOne(
          'PermissionSet',
          (p) => p.IsOwnedByProfile !== true && p.Name === name && (p.NamespacePrefix ?? null) === namespace
        ) !== undefined
      );
    case 'PermissionSetGroup':
      return (
        org.findOne(
          'PermissionSetGroup',
          (g) => g.DeveloperName === name && (g.NamespacePrefix ?? null) === namespace
        ) !== undefined
      );
    case 'Profile':
      return org.all('Profile').some((p) => (STANDARD_PROFILE_NAMES[String(p.Name)] ?? String(p.Name)) === target);
    default:
      // Groups, queues, roles and licences are not modelled: any name is taken (an assumption).
      return true;
  }
}

/**
 * Everything wrong with a deployed policy, in document order; empty when the org takes it. The org must have user
 * access policies turned on and the deploying user needs Manage User Access Policies (the guide's special access
 * rules); targets are developer names the org must have. The wording of each problem is an assumption: no recorded
 * deploy failure of this type was found.
 */
export function checkUserAccessPolicy(
  org: OrgState,
  fullName: string,
  xml: string,
  userId: string | undefined
): LayoutProblem[] {
  if (!userAccessPoliciesEnabled(org)) {
    return [
      {
        problem:
          'User access policies aren’t enabled in this org. Turn on User Access Policies in User Management Settings.',
      },
    ];
  }
  if (!org.hasPermission(userId, 'ManageUserAccessPolicies')) {
    return [
      { problem: 'You need the Manage User Access Policies permission to create or change a user access policy.' },
    ];
  }
  const parsed = parseComponent(xml, fullName);
  if ('problems' in parsed) return parsed.problems;
  const { root } = parsed;
  if (root.local !== 'UserAccessPolicy') {
    return [
      {
        problem: `Element ${METADATA_NS}${root.local} invalid at this location in type UserAccessPolicy`,
        ...at(xml, root),
      },
    ];
  }
  const problems: LayoutProblem[] = [];
  const enumProblem = (element: XmlElement, allowed: string[], field: string): void => {
    if (!allowed.includes(element.text.trim())) {
      problems.push({
        problem: `${field}: bad value for restricted picklist field: ${element.text.trim()}`,
        ...at(xml, element),
      });
    }
  };
  for (const required of ['masterLabel', 'booleanFilter', 'status']) {
    if (childText(root, required) === undefined) {
      problems.push({ problem: `Required field is missing: ${required}`, ...at(xml, root) });
    }
  }
  const sortOrders = new Set<string>();
  for (const element of root.children) {
    if (element.local === 'status') enumProblem(element, STATUSES, 'status');
    if (element.local === 'triggerType') enumProblem(element, TRIGGER_TYPES, 'triggerType');
    if (element.local === 'userAccessPolicyActions') {
      const action = element.children.find((c) => c.local === 'action');
      const type = element.children.find((c) => c.local === 'type');
      const target = childText(element, 'target') ?? '';
      if (action) enumProblem(action, ACTIONS, 'action');
      if (type) enumProblem(type, ACTION_TYPES, 'type');
      if (type && !targetExists(org, type.text.trim(), target)) {
        problems.push({ problem: `The ${type.text.trim()} ${target} doesn’t exist in this org.`, ...at(xml, element) });
      }
    }
    if (element.local === 'userAccessPolicyFilters') {
      const operation = element.children.find((c) => c.local === 'operation');
      const type = element.children.find((c) => c.local === 'type');
      const target = childText(element, 'target') ?? '';
      const sortOrder = childText(element, 'sortOrder') ?? '';
      if (operation) enumProblem(operation, OPERATIONS, 'operation');
      if (type) enumProblem(type, FILTER_TYPES, 'type');
      if (sortOrders.has(sortOrder)) {
        problems.push({ problem: `Duplicate sortOrder ${sortOrder} in userAccessPolicyFilters.`, ...at(xml, element) });
      }
      sortOrders.add(sortOrder);
      const kind = type?.text.trim() ?? '';
      if (kind === 'User') {
        const column = childText(element, 'columnName') ?? '';
        if (target !== 'User' || !org.field('User', column)) {
          problems.push({
            problem: `The User field ${column || '(none)'} can’t be used in a user criteria filter.`,
            ...at(xml, element),
          });
        }
      } else {
        const names = operation?.text.trim() === 'in' ? target.split(',').map((t) => t.trim()) : [target];
        for (const name of names) {
          if (!targetExists(org, kind, name)) {
            problems.push({ problem: `The ${kind} ${name} doesn’t exist in this org.`, ...at(xml, element) });
          }
        }
      }
    }
  }
  const logic = childText(root, 'booleanFilter') ?? '';
  for (const reference of logic.match(/\d+/g) ?? []) {
    if (!sortOrders.has(reference)) {
      problems.push({ problem: `The booleanFilter ${logic} refers to filter ${reference}, which doesn’t exist.` });
    }
  }
  return problems;
}

/**
 * What the org keeps of a deployed policy: always in Design status. "If you deploy a policy with a status of
 * Active, the status is changed to Design"; an admin activates it in Setup. So a deploy over an active policy
 * deactivates it.
 */
export function storedOnDeploy(xml: string): string {
  return /<status>[^<]*<\/status>/.test(xml) ? xml.replace(/<status>[^<]*<\/status>/, '<status>Design</status>') : xml;
}

/** The Tooling UserAccessPolicy row of a stored component. */
export function policyRow(fullName: string, xml: string): Record<string, unknown> {
  const policy = readPolicy(xml, fullName) ?? {};
  return {
    DeveloperName: fullName,
    MasterLabel: policy.masterLabel ?? fullName,
    NamespacePrefix: null,
    Description: policy.description ?? null,
    BooleanFilter: policy.booleanFilter ?? null,
    Status: policy.status ?? 'Design',
    TriggerType: policy.triggerType ?? null,
    Order: policy.order === undefined ? null : Number(policy.order),
  };
}
