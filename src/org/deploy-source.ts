import type { Connection } from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import { operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';

export type SourceDeployResult = {
  status: string;
  components: number;
  failures: Array<{ name: string; problem: string }>;
};

/**
 * Deploys force-app the way `sf project deploy start` does (SDR builds the zip and applies the
 * sfdx-project.json `replacements`, so CE_NAMESPACE must be set). Used for scratch orgs only: the source
 * Contact layout replaces the whole "Contact Layout", which `layouts apply` never does to an existing org.
 */
export async function deploySource(
  conn: Connection,
  options: { projectDir: string; sourceDir: string; namespace: string }
): Promise<SourceDeployResult> {
  const previous = process.env.CE_NAMESPACE;
  // An empty variable counts as unset: a CI variable that was never defined arrives as "" (GitHub Actions'
  // `${{ vars.X }}`), and replacing the token with nothing would name objects like `__Enrollment__c`.
  if (!previous) process.env.CE_NAMESPACE = options.namespace;
  try {
    const components = ComponentSet.fromSource({ fsPaths: [options.sourceDir] });
    components.projectDirectory = options.projectDir;
    const deploy = await components.deploy({ usernameOrConnection: conn });
    const result = await deploy.pollStatus({ frequency: Duration.seconds(1), timeout: Duration.minutes(10) });
    const failures = result
      .getFileResponses()
      .filter((file) => file.state === 'Failed')
      .map((file) => ({
        name: `${file.type}:${file.fullName}`,
        problem: 'error' in file ? String(file.error) : ERRORS.getMessage('SourceDeployFailed.noReason'),
      }));
    if (!result.response.success) {
      throw operationError(ERRORS, 'SourceDeployFailed', [failures.map((f) => `${f.name}: ${f.problem}`).join('; ')], {
        data: { failures },
      });
    }
    return { status: String(result.response.status), components: components.size, failures };
  } finally {
    if (previous === undefined) delete process.env.CE_NAMESPACE;
    else process.env.CE_NAMESPACE = previous;
  }
}
