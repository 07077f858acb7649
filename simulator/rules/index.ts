// Object behaviour beyond generic validation. Each module exports a setup that registers rules and query
// guards on a new org (org.addRule / addQueryGuard); this list runs for every org a scenario builds.
// To add behaviour, write rules/<area>.ts exporting `setup(org)` and add it here with one line.
import type { OrgState } from '../org-state.js';
import { setup as packageVersions } from './package-versions.js';
import { setup as permissions } from './permissions.js';
import { setup as permissionSetGroups } from './permission-set-groups.js';
import { setup as enrollmentTimestamp } from './enrollment-timestamp.js';
import { setup as toolingAccess } from './tooling-access.js';

export const ORG_SETUPS: Array<(org: OrgState) => void> = [
  toolingAccess,
  packageVersions,
  permissions,
  permissionSetGroups,
  enrollmentTimestamp,
];
