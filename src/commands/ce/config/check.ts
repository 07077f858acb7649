import { Messages } from '@salesforce/core';
import { relatedListName } from '../../../core/config.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'config.check');

export type ConfigCheckResult = {
  path: string;
  valid: true;
  unverified: string[];
  targets: {
    packages: Array<{ key: string; name: string; namespace: string; minimumVersion: string; versionId: string }>;
    enrollmentObject: string;
    relatedList: string;
    permissionSet: string;
    assignees: number;
    integrationUser: string;
    layouts: string[];
    backfillSince: string;
  };
};

export default class ConfigCheck extends CeCommand<ConfigCheckResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = { config: flags.config };

  public async run(): Promise<ConfigCheckResult> {
    const parsed = await this.parse(ConfigCheck);
    const { path, config } = this.loadConfig(parsed.flags.config);
    const result: ConfigCheckResult = {
      path,
      valid: true,
      unverified: config.unverified ?? [],
      targets: {
        packages: config.packages.map(({ key, name, namespace, minimumVersion, versionId }) => ({
          key,
          name,
          namespace,
          minimumVersion,
          versionId,
        })),
        enrollmentObject: config.enrollment.object,
        relatedList: relatedListName(config),
        permissionSet: `${config.permissionSet.label} (namespace ${config.permissionSet.namespace})`,
        assignees: config.permissionSet.assignees.length,
        integrationUser: config.integrationUser.username,
        layouts: config.layouts.targets,
        backfillSince: config.backfill.since,
      },
    };
    this.log(`${path} is valid.`);
    this.table({
      data: [
        ...result.targets.packages.map((p) => ({
          item: `package ${p.key}`,
          target: `${p.name} ≥ ${p.minimumVersion} (${p.versionId})`,
        })),
        { item: 'enrollment object', target: result.targets.enrollmentObject },
        { item: 'related list', target: result.targets.relatedList },
        { item: 'permission set', target: result.targets.permissionSet },
        { item: 'assignee rules', target: String(result.targets.assignees) },
        { item: 'integration user', target: result.targets.integrationUser },
        { item: 'Contact layouts', target: result.targets.layouts.join(', ') },
        { item: 'backfill since', target: result.targets.backfillSince },
      ],
    });
    if (result.unverified.length > 0) {
      this.warn(
        `These values are educated guesses, not read from an org: ${result.unverified.join(', ')}. Run \`ce-connect discover -o <org> --write\` against an org that has the packages to replace them.`
      );
    }
    return result;
  }
}
