import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigAggregator, Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import {
  type KeptRule,
  POLICY_PATH,
  type PolicySpec,
  parsePolicy,
  policyDifferences,
  policyFromConfig,
  renderPolicy,
  updatePolicyText,
} from '../../../core/user-access-policy.js';
import { policyWriteCommand } from '../../../org/user-access-policy.js';
import { CeCommand } from '../../../support/ce-command.js';
import { assertWritableConfig, requireProject, writeFileAtomically } from '../../../support/config-file.js';
import * as flags from '../../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'permsets.policy');

export type PolicyFileStatus = 'up-to-date' | 'differs' | 'missing' | 'created' | 'updated' | 'removed' | 'no-rules';

export type PermsetsPolicyResult = {
  /** The policy file, relative to the project folder. */
  file: string;
  status: PolicyFileStatus;
  /** What differs between the file and config (before --write, when it wrote). */
  differences: string[];
  /** The command that brings the file in line with config (from the project folder). */
  writeCommand: string;
  /** The policy config gives; absent when no rule can be a policy filter. */
  policy?: PolicySpec;
  /** Each rule the policy holds, with the filters (sortOrder) it became. */
  expressed: Array<{ index: number; rule: string; filters: number[] }>;
  /** Rules that stay in config only, and why (username, expires, filter). */
  kept: KeptRule[];
  written: boolean;
};

export default class PermsetsPolicy extends CeCommand<PermsetsPolicyResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    config: flags.config,
    write: Flags.boolean({
      summary: messages.getMessage('flags.write.summary'),
      default: false,
      exclusive: ['check'],
    }),
    check: Flags.boolean({ summary: messages.getMessage('flags.check.summary'), default: false }),
  };

  public async run(): Promise<PermsetsPolicyResult> {
    const { flags: f } = await this.parse(PermsetsPolicy);
    const { path, config } = this.loadConfig(f.config);
    // Offline. The file belongs to the project that holds the config (where `sf project deploy start` finds it);
    // it is written only inside the project of the current folder, as discover --write writes the config.
    if (f.write) assertWritableConfig(path);
    const project = requireProject(dirname(path));
    const file = join(project.sourceDir, POLICY_PATH);
    const shown = relative(project.dir, file);
    const configSource = relative(project.dir, path).split('\\').join('/');
    // Offline, so the fix for a missing permissionSet.name names the default org of sf's config when there is one.
    const alias = config.permissionSet.name ? undefined : await defaultOrg();
    const generated = policyFromConfig(config, configSource, alias);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const differences =
      text === undefined
        ? []
        : generated.policy
          ? policyDifferences(generated.policy, parsePolicy(text, shown))
          : [messages.getMessage('no-rules-but-file')];
    let status: PolicyFileStatus = !generated.policy
      ? text === undefined
        ? 'no-rules'
        : 'differs'
      : text === undefined
        ? 'missing'
        : differences.length > 0
          ? 'differs'
          : 'up-to-date';
    let written = false;
    if (f.write && generated.policy && status !== 'up-to-date') {
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomically(
        file,
        text === undefined ? renderPolicy(generated.policy) : updatePolicyText(text, generated.policy, shown)
      );
      status = text === undefined ? 'created' : 'updated';
      written = true;
    } else if (f.write && !generated.policy && text !== undefined) {
      // Config no longer gives a policy: the file goes, so that file and config agree (and setup, which refuses a
      // file config disagrees with, goes on). The org's policy is the admin's to deactivate or delete in Setup.
      unlinkSync(file);
      status = 'removed';
      written = true;
    }
    const result: PermsetsPolicyResult = {
      file: shown,
      status,
      differences,
      writeCommand: policyWriteCommand({ configSource }),
      ...(generated.policy ? { policy: generated.policy } : {}),
      expressed: generated.expressed,
      kept: generated.kept,
      written,
    };
    this.render(result);
    if (f.check && ['differs', 'missing'].includes(status)) this.failCheck();
    return result;
  }

  private render(r: PermsetsPolicyResult): void {
    this.table({
      data: [
        ...r.expressed.map((e) => ({
          rule: `[${e.index}] ${e.rule}`,
          policy: messages.getMessage('row.filter', [e.filters.join(', ')]),
        })),
        ...r.kept.map((k) => ({
          rule: `[${k.index}] ${k.rule}`,
          policy: messages.getMessage('row.kept', [messages.getMessage(`why.${k.why}`)]),
        })),
      ],
    });
    if (r.policy) this.log(messages.getMessage('logic', [r.policy.booleanFilter, r.policy.triggerType ?? '']));
    for (const difference of r.differences) this.log(`  - ${difference}`);
    this.log(messages.getMessage(`status.${r.status}`, [r.file, r.writeCommand]));
  }
}

/** sf's default org (`sf config set target-org`), as the admin named it; undefined when none is set. */
async function defaultOrg(): Promise<string | undefined> {
  const value = (await ConfigAggregator.create()).getPropertyValue('target-org');
  return typeof value === 'string' && value ? value : undefined;
}
