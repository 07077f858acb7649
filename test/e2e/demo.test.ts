// `npm run demo` is the README's first promise: the whole story against the bundled simulated org, each step
// with the exit code it is meant to have. A real process, because the demo is a front door; it runs with real
// waits (the CE login and the test enrollment arrive a moment after setup starts waiting), so it takes a minute.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { PROJECT_ROOT } from '../helpers/cli.js';

jest.setTimeout(400_000);

describe('npm run demo', () => {
  it('runs every step with the exit code it expects and ends with the checklist passing', async () => {
    const child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['demo/run.js'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect({
      code,
      unexpected: output.match(/UNEXPECTED[^\n]*/g) ?? [],
      failed: output.match(/demo failed[^]*/)?.[0].slice(0, 2000),
    }).toEqual({ code: 0, unexpected: [], failed: undefined });
    expect(output).toMatch(/All required items pass: \d+ pass, 0 warn, 0 fail/);
    expect(output).toContain('The HTML report:');
  });
});
