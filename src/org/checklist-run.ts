import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '@salesforce/core';
import type { RunSummary } from '../core/backfill-outcomes.js';
import { checkAdminsOnly } from './admins-only.js';
import { backfillCheckItems } from '../core/backfill-check.js';
import { type CheckItem, type ChecklistReport, type ChecklistSection, summarise } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { relatedListSpec } from '../core/related-list-spec.js';
import { RUN_FILES } from './backfill-run.js';
import { checkConnection } from './connect-guide.js';
import { checkRecentEnrollments, checkUnlinked } from './enrollment-checks.js';
import { checkIntegrationUser } from './integration-user.js';
import { type LayoutPlan, planLayouts } from './layouts.js';
import type { OrgFacts } from './org-facts.js';
import { checkPackages } from './packages/check.js';
import { checkPages } from './pages.js';
import { checkPermissionSetAssignments } from './permset-assignments.js';
import { checkPackageGroups } from './permission-set-groups.js';
import { type PolicySource, checkPolicy } from './user-access-policy.js';

type Checker = { title: string; id: string; run: () => Promise<CheckItem[]> };

/** Every targeted Contact layout carries the Enrollments related list exactly as configured. */
export async function checkLayouts(config: CeConfig, layouts: () => Promise<LayoutPlan[]>): Promise<CheckItem[]> {
  const plans = await layouts();
  if (plans.length === 0) {
    return [
      {
        id: 'layouts.none',
        title: 'Contact layouts to check',
        status: 'fail',
        evidence: `No Contact layout matches layouts.targets (${config.layouts.targets.join(', ')}).`,
        fix: 'List the layouts with `ce-connect discover -o <org>` and correct layouts.targets in the config.',
      },
    ];
  }
  return plans.map((plan) => ({
    id: `layouts.${plan.fullName}`,
    title: `Enrollments related list on "${plan.fullName}"`,
    status: plan.status === 'unchanged' ? 'pass' : 'fail',
    evidence:
      plan.status === 'unchanged'
        ? 'Present with the configured fields, sort and buttons.'
        : (plan.problem ?? plan.changes.map((c) => c.message).join('; ')),
    ...(plan.status === 'unchanged' ? {} : { fix: 'ce-connect layouts apply -o <org>' }),
  }));
}

function readRunSummary(folder: string): RunSummary | undefined {
  const path = join(folder, RUN_FILES.summary);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunSummary) : undefined;
}

/**
 * Runs every check against the org. A check that cannot run (an error from the org) becomes a failing item
 * that says why, so one unreadable area never hides the others.
 */
export async function runChecklist(
  conn: Connection,
  config: CeConfig,
  facts: OrgFacts,
  options: { backfillDir?: string; alias?: string; now?: Date; configPath?: string; policy?: PolicySource } = {}
): Promise<ChecklistReport> {
  // The layouts are read once: their own items and the pages that show what the layouts show both need them.
  let layoutPlans: Promise<LayoutPlan[]> | undefined;
  const layouts = (): Promise<LayoutPlan[]> =>
    (layoutPlans ??= planLayouts(conn, relatedListSpec(config), config.layouts.targets));
  const sections: Array<{ title: string; checkers: Checker[] }> = [
    {
      title: 'Packages',
      checkers: [
        { id: 'packages', title: 'Installed packages', run: () => checkPackages(conn, config) },
        {
          id: 'packages.admins-only',
          title: 'Admins-only access to CE data',
          run: () => checkAdminsOnly(conn, config),
        },
      ],
    },
    {
      title: 'Integration user and connection',
      checkers: [
        { id: 'integration-user', title: 'Integration user audit', run: () => checkIntegrationUser(conn, config) },
        { id: 'connection', title: 'CE connection', run: () => checkConnection(conn, config) },
      ],
    },
    {
      title: 'Access, layouts and pages',
      checkers: [
        { id: 'permsets', title: 'Permission set assignments', run: () => checkPermissionSetAssignments(conn, config) },
        { id: 'permsets.groups', title: 'Permission set groups', run: () => checkPackageGroups(conn, config) },
        {
          id: 'permsets.policy',
          title: 'User Access Policy',
          run: () =>
            checkPolicy(
              conn,
              config,
              options.policy ?? { configSource: options.configPath ?? 'config/ce-connect.json' }
            ),
        },
        { id: 'layouts', title: 'Contact layouts', run: () => checkLayouts(config, layouts) },
        {
          id: 'pages',
          title: 'Contact record pages',
          run: async () =>
            (await checkPages(conn, config, { configSource: options.configPath ?? 'config/ce-connect.json', layouts }))
              .items,
        },
      ],
    },
    {
      title: 'Sync',
      checkers: [
        { id: 'sync.recent', title: 'Recent enrollments', run: () => checkRecentEnrollments(conn, config) },
        { id: 'sync.unlinked', title: 'Unlinked enrollments', run: () => checkUnlinked(conn, config) },
      ],
    },
  ];
  const backfillDir = options.backfillDir;
  if (backfillDir) {
    sections.push({
      title: 'Backfill',
      checkers: [
        {
          id: 'backfill',
          title: 'Backfill run',
          run: () => Promise.resolve(backfillCheckItems(readRunSummary(backfillDir), backfillDir)),
        },
      ],
    });
  }
  const done: ChecklistSection[] = [];
  for (const section of sections) {
    const items: CheckItem[] = [];
    for (const checker of section.checkers) {
      try {
        items.push(...(await checker.run()));
      } catch (error) {
        items.push({
          id: `${checker.id}.error`,
          title: checker.title,
          status: 'fail',
          evidence: `Could not check: ${(error as Error).message}`,
          fix: 'Run the checklist as a System Administrator, or see the message above.',
        });
      }
    }
    done.push({ title: section.title, items: withAlias(items, options.alias) });
  }
  return {
    org: { name: facts.name, instanceUrl: facts.instanceUrl, kind: facts.kind },
    generatedAt: (options.now ?? new Date()).toISOString(),
    sections: done,
    summary: summarise(done),
  };
}

/** Fixes name the org the way the admin does, so they can be pasted as they are. */
function withAlias(items: CheckItem[], alias: string | undefined): CheckItem[] {
  if (!alias) return items;
  return items.map((item) => (item.fix ? { ...item, fix: item.fix.replace(/<org>/g, alias) } : item));
}
