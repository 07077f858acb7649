// Every command, by id. oclif's "explicit" strategy reads this map, so the folder layout of commands/ mirrors
// the command tree but adding a command means adding it here.
import ConfigCheck from './commands/config/check.mjs';

export const COMMANDS = {
  'config:check': ConfigCheck,
};
