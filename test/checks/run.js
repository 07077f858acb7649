// What `npm test` runs before jest: lint, the format check, the type check and the build jest's process tests run.
// They are independent, so they run side by side (each is mostly one thread; together they keep a small machine's
// cores busy), and each one's output is printed whole when it ends, so that failures are not interleaved. Exits
// non-zero when any of them failed.
import { spawn } from 'node:child_process';

const checks = [
  ['lint', 'eslint', ['.']],
  ['format', 'prettier', ['--check', '.']],
  ['types', 'tsc', ['-p', 'tsconfig.check.json']],
  ['build', 'npm', ['run', '--silent', 'build']],
];

const run = ([name, bin, args]) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(bin === 'npm' ? 'npm' : `node_modules/.bin/${bin}`, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => resolve({ name, ok: false, text: `${error.message}\n`, seconds: 0 }));
    child.on('close', (code) =>
      resolve({ name, ok: code === 0, text: Buffer.concat(output).toString(), seconds: (Date.now() - started) / 1000 })
    );
  });

const results = await Promise.all(checks.map(run));
for (const { name, ok, text, seconds } of results) {
  process.stdout.write(`== ${name}: ${ok ? 'passed' : 'FAILED'} (${seconds.toFixed(1)} s)\n`);
  if (!ok || text.trim()) process.stdout.write(text.endsWith('\n') || !text ? text : `${text}\n`);
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
