import { OperationError } from '../../../core/errors.js';
import { type PackageStatus, describeGaps, packageStatuses } from '../../../core/package-status.js';
import { withApiErrors } from '../../../org/api-errors.js';
import { readInstalledPackages } from '../../../org/installed-packages.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { targetOrgName } from '../../../support/target-org-name.js';

export type PackagesCheckResult = {
  org: string;
  packages: PackageStatus[];
  /** The command that closes the gap, when there is one. */
  fix?: string;
  apiCalls: number;
};

export default class PackagesCheck extends CeCommand<PackagesCheckResult> {
  public static readonly summary = 'Compare the installed CE packages with the required versions.';
  public static readonly description =
    'Lists each package of the config (Northpass, the Data Connector) with its installed and required version, comparing (major, minor, patch) as numbers: 2.10 is later than 2.9, and 2.1.0.3 satisfies 2.1. Exit code 1 when a package is missing or older, with the command that fixes it. Read-only: two API calls (the org facts and one Tooling query of InstalledSubscriberPackage).';
  public static readonly examples = [
    '<%= config.bin %> <%= command.id %> -o prod',
    '<%= config.bin %> <%= command.id %> -o prod --json',
  ];
  public static readonly flags = { 'target-org': flags.targetOrg, config: flags.config };

  public async run(): Promise<PackagesCheckResult> {
    const { flags: f } = await this.parse(PackagesCheck);
    const { config } = this.loadConfig(f.config);
    const session = await withApiErrors(() => this.openOrg(f['target-org']));
    const alias = targetOrgName(this.argv, f['target-org'].getUsername());
    const listing = await withApiErrors(() => readInstalledPackages(session.conn));
    if (!listing.readable) {
      throw new OperationError(
        'PackagesNotReadable',
        `${alias} cannot list installed packages: the org answered "${listing.reason}". That answer means the user lacks the "${listing.missingPermission}" permission, not that nothing is installed.`,
        {
          actions: [
            `Run the check as an admin, or give ${alias} a permission set with "${listing.missingPermission}" (API name PermissionsInstallPackaging).`,
            'Setup > Installed Packages shows the same list to a user who has it.',
          ],
          data: { missingPermission: listing.missingPermission, apiCalls: session.calls.count },
        }
      );
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
