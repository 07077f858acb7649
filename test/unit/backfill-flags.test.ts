import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.js';
import { resolveBackfillOptions } from '../../src/support/backfill-flags.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const config = parseConfig(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'), 'config');

describe('resolveBackfillOptions', () => {
  const now = Date.parse('2026-12-02T00:00:00Z');

  it('takes --since over the config', () => {
    expect(resolveBackfillOptions({ since: '2025-12-01' }, config, now).since).toBe(Date.parse('2025-12-01T00:00:00Z'));
  });

  it('refuses a cutoff in the future, which would skip every row (exit 2)', () => {
    let thrown: unknown;
    try {
      resolveBackfillOptions({ since: '2027-01-01' }, config, now);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'SinceInFuture', exitCode: 2 });
    expect((thrown as Error).message).toContain('in the future');
  });
});
