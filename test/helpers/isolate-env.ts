// Every node test runs with a throw-away HOME and with the sf CLI's network side effects switched off, so no
// test reads or writes the developer's own sf logins, and nothing phones home.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(os.tmpdir(), 'ce-connect-test-home-'));
process.env.HOME = home;
process.env.USERPROFILE = home;
// Jest gives each test file its own copy of process.env, but os.homedir() reads the real process environment;
// @salesforce/core stores auth files under os.homedir(), so point it at the throw-away folder too.
os.homedir = (): string => home;
process.env.SF_DISABLE_TELEMETRY = 'true';
process.env.SF_DISABLE_AUTOUPDATE = 'true';
process.env.SF_SKIP_NEW_VERSION_CHECK = 'true';
process.env.SF_DISABLE_LOG_FILE = 'true';
process.env.SF_USE_PROGRESS_BAR = 'false';
