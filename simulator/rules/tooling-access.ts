// Query restrictions of Tooling objects.
import { SimError, invalidType } from '../errors.js';
import type { OrgState } from '../org-state.js';
import { addQueryGuard, filtersById } from '../soql.js';

export function setup(org: OrgState): void {
  // SubscriberPackageVersion can be queried only with an Id filter ("Implementation restriction"):
  // https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-subscriberpackageversion.html
  addQueryGuard(org, 'SubscriberPackageVersion', ({ query }) => {
    if (!filtersById(query)) {
      throw new SimError(
        400,
        'MALFORMED_QUERY',
        'Implementation restriction: You can only perform queries of the form Id = value or Id IN values on SubscriberPackageVersion'
      );
    }
  });
  // Users without "Download AppExchange Packages" (PermissionsInstallPackaging) cannot see installed packages:
  // the Tooling API answers as if the object did not exist. Known from the sf CLI's `package installed list`
  // failure (https://github.com/forcedotcom/cli/issues/3519,
  // https://salesforce.stackexchange.com/questions/282560/invalid-type-sobject-type-installedsubscriberpackage-is-not-supported).
  addQueryGuard(org, 'InstalledSubscriberPackage', ({ org: state, userId }) => {
    if (!state.hasPermission(userId, 'InstallPackaging')) throw invalidType('InstalledSubscriberPackage');
  });
  // Users who may neither see Setup (View Setup and Configuration) nor manage user access policies do not see the
  // UserAccessPolicy object. An assumption: the guides name only what changing a policy needs (Manage User Access
  // Policies, https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-useraccesspolicy.html),
  // and an object a user may not see answers INVALID_TYPE, as InstalledSubscriberPackage does above.
  addQueryGuard(org, 'UserAccessPolicy', ({ org: state, userId }) => {
    if (!state.hasPermission(userId, 'ViewSetup') && !state.hasPermission(userId, 'ManageUserAccessPolicies')) {
      throw invalidType('UserAccessPolicy');
    }
  });
}
