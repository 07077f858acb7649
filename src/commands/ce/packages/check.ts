import { Messages } from '@salesforce/core';
import { type PackageStatus, describeGaps, packageStatuses } from '../../../core/package-status.js';
import { packagesNotReadable, readInstalledPackages } from '../../../org/installed-packages.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { targetOrgName } from '../../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'packages.check');

export type PackagesCheckResult = {
  org: string;
  packages: PackageStatus[];
  /** The command that closes the gap, when there is one. */
  fix?: string;
  apiCalls: number;
};

export default class PackagesCheck extends CeCommand<PackagesCheckResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = { 'target-org': flags.targetOrg, config: flags.config };

  public async run(): Promise<PackagesCheckResult> {
    const { flags: f } = await this.parse(PackagesCheck);
    const { config } = this.loadConfig(f.config);
    const [session, listing] = await this.openOrgWith(f['target-org'], readInstalledPackages);
    const alias = targetOrgName(this.argv, f['target-org'].getUsername());
    if (!listing.readable) {
      throw packagesNotReadable(alias, listing, {
        missingPermission: listing.missingPermission,
        apiCalls: session.calls.count,
      });
    }
    const packages = packageStatuses(config.packages, listing.packages);
    const result: PackagesCheckResult = { org: session.facts.name, packages, apiCalls: session.calls.count };

    this.table({
      data: packages.map((p) => ({
        package: `${p.name} (${p.namespace})`,
        installed: p.installed ?? '—',
        required: `≥ ${p.required}`,
        status: p.status,
      })),
    });
    const gaps = describeGaps(packages);
    if (gaps.length === 0) {
      this.log(`All ${packages.length} packages are installed at the required version (${result.apiCalls} API calls).`);
      return result;
    }
    result.fix = `ce-connect packages install -o ${alias}`;
    for (const gap of gaps) this.warn(gap);
    this.log(`Fix: run \`${result.fix}\` (then run this check again).`);
    this.failCheck();
    return result;
  }
}
