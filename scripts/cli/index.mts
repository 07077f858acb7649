// Every command, by id. oclif's "explicit" strategy reads this map, so the folder layout of commands/ mirrors
// the command tree but adding a command means adding it here.
import BackfillPlan from './commands/backfill/plan.mjs';
import ConfigCheck from './commands/config/check.mjs';
import LayoutsPatch from './commands/layouts/patch.mjs';

export const COMMANDS = {
  'backfill:plan': BackfillPlan,
  'config:check': ConfigCheck,
  'layouts:patch': LayoutsPatch,
};
