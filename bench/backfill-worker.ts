import { planBackfill, existingFromFile } from '../src/org/backfill-plan.js';
import { COLUMNS } from './backfill-data.js';

/**
 * Runs the real planner (the same function `ce-connect backfill plan --existing` calls) in its own process, so its
 * peak RSS is its own: argv = export, existing, out-dir, since (ms). Prints one JSON line.
 */
async function main(): Promise<void> {
  const [exportPath, existingPath, outDir, since] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await planBackfill({
    exportPath,
    outDir,
    since: Number(since),
    externalIdColumn: COLUMNS.id,
    timestampColumn: COLUMNS.ts,
    rowsPerFile: 50_000,
    loadExisting: existingFromFile(existingPath, COLUMNS.id, COLUMNS.ts),
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, summary: result.summary })}\n`
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
