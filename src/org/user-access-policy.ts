import type { Connection } from '@salesforce/core';
import { Messages } from '@salesforce/core/messages';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { InputError, inputError, operationError } from '../core/errors.js';
import type { Unreadable } from '../core/integration-user-audit.js';
import { stopKind } from '../core/stops.js';
import { ERRORS } from '../core/messages.js';
import {
  POLICY_FOLDER,
  POLICY_NAME,
  POLICY_SUFFIX,
  type PolicySpec,
  forOrg,
  parsePolicy,
  policyDifferences,
  policyFromConfig,
  renderPolicy,
} from '../core/user-access-policy.js';
import { deployComponents, retrieveComponents } from './metadata.js';
import { soqlQuote, unreadable } from './user-access.js';

// The Northpass Standard User policy in the org: whether user access policies are on (UserManagementSettings,
// readMetadata), the policy's status (Tooling UserAccessPolicy), its content (Metadata API retrieve), and its
// deploy, which always lands in Design status, so deploying over an Active policy deactivates it.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_usermanagementsettings.htm
// https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-useraccesspolicy.html
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const TEXT = Messages.loadMessages('ce-connect', 'access');

/** Where the policy comes from: the project's file when there is one, with the config's name as it reads there. */
export type PolicySource = {
  /** The policy file's path, when the config sits in a Salesforce DX project. */
  file?: string;
  /** Its text, when the file exists. */
  text?: string;
  /** The config file as the project names it (relative to the project), for messages and suggested commands. */
  configSource: string;
};

/** The exact commands a refusal or a failure of the policy step names, each ready to paste. */
export type PolicyCommands = {
  /** The org as the admin names it. */
  alias: string;
  /** The command that continues once the cause is fixed: the one that was run. */
  again: string;
  /** That command with --force (deploys over an Active policy). */
  force: string;
  /** That command without the policy step. */
  skip: string;
};

export type PolicyInOrg = {
  /** UserManagementSettings.userAccessPoliciesEnabled (API 58.0+); undefined when the org did not say. */
  enabled?: boolean;
  /** The policy's Status, when the org has it. */
  status?: string;
  /** Set when the running user may not read the org's user access policies (status unknown). */
  unreadable?: Unreadable;
};

export type PolicyPlan = {
  /** deploy: the org's policy is missing or differs; manual: the admin's turn; none: nothing to do. */
  action: 'deploy' | 'manual' | 'none';
  reason: 'no-name' | 'no-rules' | 'setting-off' | 'unreadable' | 'same' | 'missing' | 'differs';
  before: PolicyInOrg;
  lines: string[];
  differences: string[];
  /** The XML to deploy, the namespace filled in. */
  content?: string;
  /** What the admin does next (turn the setting on, activate the policy). */
  next?: string;
};

export type PolicyDeployResult = PolicyPlan & { writes: number; deployed: boolean; after?: PolicyInOrg };

const DEFAULT_CONFIG = 'config/ce-connect.json';

// Reading Setup's user access policies through the Tooling API is assumed to need View Setup and Configuration, as
// reading other Setup objects does: the guides name only what changing them needs (Manage User Access Policies).
const READ_PERMISSION = 'View Setup and Configuration';

/** `permsets policy --write` for this config, run from the project folder. */
export function policyWriteCommand(source: PolicySource): string {
  const config = source.configSource === DEFAULT_CONFIG ? '' : ` --config ${source.configSource}`;
  return `ce-connect permsets policy --write${config}`;
}

/** The commands of `ce-connect setup -o <alias>` when the caller has no command line of its own. */
export function defaultPolicyCommands(alias: string): PolicyCommands {
  const setup = `ce-connect setup -o ${alias}`;
  return { alias, again: setup, force: `${setup} --force`, skip: `${setup} --skip policy` };
}

/** The policy's status in the org (one Tooling query); undefined when the org has no such policy. */
async function readPolicyStatus(conn: Connection): Promise<string | Unreadable | undefined> {
  try {
    const rows = await conn.tooling.query<{ Status: string }>(
      `SELECT Id, DeveloperName, MasterLabel, Status FROM UserAccessPolicy WHERE DeveloperName = ${soqlQuote(POLICY_NAME)}`
    );
    return rows.records[0]?.Status;
  } catch (error) {
    const refused = unreadable(error, READ_PERMISSION);
    if (refused) return refused;
    throw error;
  }
}

/** Whether user access policies are on (one readMetadata call) and the policy's status (one Tooling query). */
export async function readPolicyInOrg(conn: Connection): Promise<PolicyInOrg> {
  const [settings, status] = await Promise.all([
    // readMetadata needs more than reading Setup does (Modify Metadata or Modify All Data); a user without it still
    // gets the policy's status, with the setting unknown.
    (
      conn.metadata.read('UserManagementSettings', 'UserManagement') as unknown as Promise<Record<string, unknown>>
    ).catch((error: unknown) => {
      if (stopKind(error)) throw error;
      return undefined;
    }),
    readPolicyStatus(conn),
  ]);
  const flag = settings?.userAccessPoliciesEnabled;
  const enabled = flag === undefined || flag === null ? undefined : String(flag) === 'true';
  if (typeof status === 'object') return { enabled, unreadable: status };
  return { enabled, status };
}

/**
 * The policy config asks for, from the project's file (which must agree with config) or from config itself. Needs no
 * org: setup checks it before anything is planned or written. A file that disagrees is bad input (exit 2).
 */
export function wantedPolicy(
  config: CeConfig,
  source: PolicySource,
  again: string
): { policy?: PolicySpec; text?: string } {
  const generated = policyFromConfig(config, source.configSource);
  if (source.text === undefined || source.file === undefined) {
    return generated.policy ? { policy: generated.policy, text: renderPolicy(generated.policy) } : {};
  }
  const inFile = parsePolicy(source.text, source.file);
  const differences = generated.policy
    ? policyDifferences(generated.policy, inFile)
    : [TEXT.getMessage('policy.no-rules')];
  if (differences.length > 0) {
    throw inputError(ERRORS, 'PolicyFileOutOfDate', [source.file, differences.join('; ')], {
      actionTokens: [[policyWriteCommand(source), again]],
      data: { file: source.file, differences },
    });
  }
  return { policy: inFile, text: source.text };
}

/** What differs between the policy to deploy and the org's (one retrieve); status and order are the org's. */
async function differencesInOrg(conn: Connection, target: PolicySpec): Promise<string[]> {
  const retrieved = await retrieveComponents(conn, 'UserAccessPolicy', POLICY_FOLDER, POLICY_SUFFIX, [POLICY_NAME]);
  const inOrg = retrieved.files.get(POLICY_NAME);
  return inOrg
    ? policyDifferences(
        target,
        parsePolicy(inOrg.toString('utf8'), `${POLICY_FOLDER}/${POLICY_NAME}.${POLICY_SUFFIX}`),
        { actual: 'org' }
      )
    : [TEXT.getMessage('policy.not-retrieved')];
}

function settingOffFix(alias: string): string {
  return TEXT.getMessage('policy.setting-off.fix', [TEXT.getMessage('policy.setting-path'), alias]);
}

/**
 * Plans the policy's deploy (reads only): nothing when the org's policy says what config says (status and order
 * are the org's), a deploy when it is missing or differs, and a refusal (exit 2) when it differs and is Active,
 * unless forced: a deploy deactivates it until an admin activates it again.
 */
export async function planPolicyDeploy(
  conn: Connection,
  config: CeConfig,
  source: PolicySource,
  options: { force?: boolean; commands?: PolicyCommands } = {}
): Promise<PolicyPlan> {
  const commands = options.commands ?? defaultPolicyCommands('<org>');
  // A config from before the policy existed has no permissionSet.name: the step waits for it rather than stopping
  // setup (`permsets policy` itself refuses, exit 2).
  if (!config.permissionSet.name) {
    return {
      action: 'manual',
      reason: 'no-name',
      before: {},
      lines: [],
      differences: [],
      next: nameFix(source, commands.alias),
    };
  }
  const wanted = wantedPolicy(config, source, commands.again);
  if (!wanted.policy || wanted.text === undefined) {
    return { action: 'none', reason: 'no-rules', before: {}, lines: [], differences: [] };
  }
  const before = await readPolicyInOrg(conn);
  if (before.enabled === false) {
    return {
      action: 'manual',
      reason: 'setting-off',
      before,
      lines: [],
      differences: [],
      next: settingOffFix(commands.alias),
    };
  }
  if (before.unreadable) {
    // Without the policy's status nothing says whether a deploy would deactivate an Active policy: left to the admin.
    return {
      action: 'manual',
      reason: 'unreadable',
      before,
      lines: [],
      differences: [],
      next: TEXT.getMessage('policy.unreadable.fix', [before.unreadable.permission, commands.again]),
    };
  }
  const content = forOrg(wanted.text, config.permissionSet.namespace);
  const target = parsePolicy(content, source.file ?? `${POLICY_NAME}.${POLICY_SUFFIX}`);
  if (before.status === undefined) {
    return {
      action: 'deploy',
      reason: 'missing',
      before,
      lines: [TEXT.getMessage('policy.plan.create', [POLICY_NAME])],
      differences: [],
      content,
      next: TEXT.getMessage('policy.activate', [target.masterLabel]),
    };
  }
  const differences = await differencesInOrg(conn, target);
  if (differences.length === 0) return { action: 'none', reason: 'same', before, lines: [], differences };
  if (before.status === 'Active' && !options.force) {
    throw inputError(ERRORS, 'PolicyActive', [POLICY_NAME, differences.join('; ')], {
      actionTokens: [[commands.force], [commands.skip]],
      data: { differences, status: before.status },
    });
  }
  return {
    action: 'deploy',
    reason: 'differs',
    before,
    lines: [
      TEXT.getMessage(before.status === 'Active' ? 'policy.plan.replace-active' : 'policy.plan.update', [
        POLICY_NAME,
        differences.join('; '),
      ]),
    ],
    differences,
    content,
    next: TEXT.getMessage('policy.activate', [target.masterLabel]),
  };
}

/**
 * Deploys the planned policy (one deploy), then reads its status back. A refusal names the two causes an org gives
 * for it (the setting off, or the running user without Manage User Access Policies), each with its fix.
 */
export async function applyPolicyDeploy(
  conn: Connection,
  plan: PolicyPlan,
  commands: PolicyCommands = defaultPolicyCommands('<org>')
): Promise<PolicyDeployResult> {
  if (plan.action !== 'deploy' || plan.content === undefined) return { ...plan, writes: 0, deployed: false };
  const outcome = await deployComponents(
    conn,
    'UserAccessPolicy',
    POLICY_FOLDER,
    POLICY_SUFFIX,
    new Map([[POLICY_NAME, Buffer.from(plan.content, 'utf8')]]),
    { checkOnly: false }
  );
  if (!outcome.success) {
    throw operationError(
      ERRORS,
      'PolicyDeployFailed',
      [POLICY_NAME, outcome.problems.map((p) => p.problem).join('; ') || outcome.status],
      { actionTokens: [[TEXT.getMessage('policy.setting-path'), commands.again], [commands.again]] }
    );
  }
  const status = await readPolicyStatus(conn);
  return {
    ...plan,
    writes: 1,
    deployed: true,
    after: typeof status === 'object' ? { enabled: true, unreadable: status } : { enabled: true, status },
  };
}

function nameFix(source: PolicySource, alias: string): string {
  return ERRORS.getMessages('PolicyNeedsPermissionSetName.actions', [alias, source.configSource]).join(' ');
}

/**
 * The checklist's item: the policy's status in the org, and whether it still says what config says (one retrieve,
 * when the org has it). Fixes name the org as `<org>`, which the checklist fills in.
 */
export async function checkPolicy(conn: Connection, config: CeConfig, source: PolicySource): Promise<CheckItem[]> {
  const id = 'permsets.policy';
  const title = TEXT.getMessage('policy.title', [POLICY_NAME]);
  const commands = defaultPolicyCommands('<org>');
  if (!config.permissionSet.name) {
    return [
      {
        id,
        title,
        status: 'warn',
        evidence: ERRORS.getMessage('PolicyNeedsPermissionSetName', [source.configSource]),
        fix: nameFix(source, commands.alias),
      },
    ];
  }
  let wanted: { policy?: PolicySpec; text?: string };
  try {
    wanted = wantedPolicy(config, source, 'ce-connect checklist -o <org>');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return [
      { id, title, status: 'warn', evidence: error.message, ...(error.actions[0] ? { fix: error.actions[0] } : {}) },
    ];
  }
  if (!wanted.policy || wanted.text === undefined) {
    return [{ id, title, status: 'skip', evidence: TEXT.getMessage('policy.no-rules') }];
  }
  const org = await readPolicyInOrg(conn);
  if (org.enabled === false) {
    return [
      { id, title, status: 'warn', evidence: TEXT.getMessage('policy.setting-off'), fix: settingOffFix('<org>') },
    ];
  }
  if (org.unreadable) {
    return [
      {
        id,
        title,
        status: 'warn',
        evidence: TEXT.getMessage('policy.unreadable', [org.unreadable.reason]),
        fix: TEXT.getMessage('policy.unreadable.fix', [org.unreadable.permission, 'ce-connect checklist -o <org>']),
      },
    ];
  }
  if (org.status === undefined) {
    return [
      {
        id,
        title,
        status: 'warn',
        evidence: TEXT.getMessage('policy.missing-in-org', [POLICY_NAME]),
        fix: TEXT.getMessage('policy.missing-in-org.fix', [POLICY_NAME]),
      },
    ];
  }
  // An Active policy someone changed in Setup grants by other rules than config's: it still runs, so a warning.
  const target = parsePolicy(forOrg(wanted.text, config.permissionSet.namespace), source.file ?? POLICY_NAME);
  const differences = await differencesInOrg(conn, target);
  if (differences.length > 0) {
    return [
      {
        id,
        title,
        status: 'warn',
        evidence: TEXT.getMessage('policy.differs-in-org', [POLICY_NAME, org.status, differences.join('; ')]),
        fix: TEXT.getMessage(
          org.status === 'Active' ? 'policy.differs-in-org.fix.active' : 'policy.differs-in-org.fix',
          [POLICY_NAME]
        ),
      },
    ];
  }
  if (org.status === 'Active') {
    return [{ id, title, status: 'pass', evidence: TEXT.getMessage('policy.active', [POLICY_NAME]) }];
  }
  return [
    {
      id,
      title,
      status: 'warn',
      evidence: TEXT.getMessage('policy.status', [POLICY_NAME, org.status]),
      fix: TEXT.getMessage('policy.activate', [wanted.policy.masterLabel]),
    },
  ];
}
