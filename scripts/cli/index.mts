// Every command, by id. oclif's "explicit" strategy reads this map, so the folder layout of commands/ mirrors
// the command tree but adding a command means adding it here.
import BackfillPlan from './commands/backfill/plan.mjs';
import BackfillRun from './commands/backfill/run.mjs';
import Checklist from './commands/checklist.mjs';
import ConfigCheck from './commands/config/check.mjs';
import ConnectGuide from './commands/connect-guide.mjs';
import Discover from './commands/discover.mjs';
import EnrollmentsRelink from './commands/enrollments/relink.mjs';
import EnrollmentsUnlinked from './commands/enrollments/unlinked.mjs';
import IntegrationUserCheck from './commands/integration-user/check.mjs';
import LayoutsApply from './commands/layouts/apply.mjs';
import LayoutsPatch from './commands/layouts/patch.mjs';
import PackagesCheck from './commands/packages/check.mjs';
import PackagesInstall from './commands/packages/install.mjs';
import PermsetsApply from './commands/permsets/apply.mjs';
import Scratch from './commands/scratch.mjs';
import Setup from './commands/setup.mjs';
import SimulatorStart from './commands/simulator/start.mjs';
import LayoutsRollback from './commands/layouts/rollback.mjs';
import SyncVerify from './commands/sync/verify.mjs';

export const COMMANDS = {
  'backfill:plan': BackfillPlan,
  'backfill:run': BackfillRun,
  checklist: Checklist,
  'config:check': ConfigCheck,
  'connect-guide': ConnectGuide,
  discover: Discover,
  'enrollments:relink': EnrollmentsRelink,
  'enrollments:unlinked': EnrollmentsUnlinked,
  'integration-user:check': IntegrationUserCheck,
  'layouts:apply': LayoutsApply,
  'layouts:patch': LayoutsPatch,
  'packages:check': PackagesCheck,
  'packages:install': PackagesInstall,
  'permsets:apply': PermsetsApply,
  scratch: Scratch,
  setup: Setup,
  'simulator:start': SimulatorStart,
  'layouts:rollback': LayoutsRollback,
  'sync:verify': SyncVerify,
};
