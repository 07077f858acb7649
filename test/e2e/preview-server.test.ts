// `npm run preview` as a developer starts it: a real process (its front door is the point), which prints the URL,
// serves the page, the compiled component, the labels and the fixtures, and stops on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PROJECT_ROOT } from '../helpers/cli.js';

jest.setTimeout(60_000);

describe('npm run preview', () => {
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    child = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['preview/main.ts', '--port', '0'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const found = /preview: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
        if (found && output.includes('Ctrl-C')) resolve(found[1]);
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('exit', (code) => reject(new Error(`preview exited with ${code}: ${output}`)));
    });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the URL of every state', () => {
    for (const state of ['data', 'many', 'empty', 'error', 'loading'])
      expect(output).toContain(`${url}?state=${state}`);
  });

  it('serves the page, the compiled component, a label and a fixture', async () => {
    const page = await fetch(`${url}?state=empty`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>contactEnrollments preview: No enrollments yet</title>');

    const component = await fetch(`${url}m/c/contactEnrollments/contactEnrollments.js`);
    expect(component.headers.get('content-type')).toMatch(/^text\/javascript/);
    // Compiled, not the source: the decorators are gone and the template is imported.
    const code = await component.text();
    expect(code).toContain('import _tmpl from "./contactEnrollments.html"');
    expect(code).not.toContain('@api');

    expect(await (await fetch(`${url}labels/c.CE_Enrollments_View_All`)).text()).toBe('export default "View all";\n');
    const fixture = (await (await fetch(`${url}fixtures/data`)).json()) as { data: { count: number } };
    expect(fixture.data.count).toBe(7);
    expect((await fetch(`${url}?state=nonsense`)).status).toBe(404);
    expect((await fetch(`${url}slds/../../package.json`)).status).toBe(404);
    // Names that are not identifiers reach neither the file system nor a header, and the server stays up.
    expect((await fetch(`${url}m/lightning/..%2Fserver.ts`)).status).toBe(404);
    expect((await fetch(`${url}m/c/a%0d%0aX-Injected:%201`)).status).toBe(404);
    expect((await fetch(`${url}?state=data`)).status).toBe(200);
  });

  it('stops on Ctrl-C with exit code 130', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
  });
});
