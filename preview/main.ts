// npm run preview [-- --port N]: serves the contactEnrollments preview until Ctrl-C.
import { STATES, startPreview } from './server.js';

const args = process.argv.slice(2);
const at = args.indexOf('--port');
const port = at >= 0 ? Number(args[at + 1]) : 4173;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('Usage: npm run preview -- [--port N] (N from 0 to 65535; 0 picks a free port)\n');
  process.exit(2);
}

const preview = await startPreview(port);
process.stdout.write(`contactEnrollments preview: ${preview.url}\n`);
for (const [state, { title }] of Object.entries(STATES)) {
  process.stdout.write(`  ${title.padEnd(36)} ${preview.url}?state=${state}\n`);
}
process.stdout.write('Ctrl-C stops it.\n');
process.once('SIGINT', () => {
  void preview.stop().then(() => process.exit(130));
});
