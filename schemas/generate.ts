// `npm run schemas`: rewrites the result contracts from the source, after an intended change.
// - schemas/<command id with - for :>.json: the JSON Schema of each command's --json result, from its result type;
// - command-snapshot.json: each command's flags and aliases.
// Both are formatted as prettier formats them, so `npm run lint` accepts them and reruns write the same bytes.
// test/unit/result-schemas.test.ts fails until they match the source again.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { SNAPSHOT_FILE, commandSnapshot, snapshotText } from './command-snapshot.js';
import { ROOT, SCHEMAS_DIR, commandFiles, resultSchemas, schemaFileName, schemaText } from './result-schema.js';

async function write(path: string, text: string): Promise<void> {
  const options = await resolveConfig(path);
  writeFileSync(path, await format(text, { ...options, filepath: path }));
  console.log(`wrote ${relative(ROOT, path)}`);
}

const files = commandFiles();
const written = new Set<string>();
for (const [id, schema] of resultSchemas(files)) {
  const name = schemaFileName(id);
  await write(join(SCHEMAS_DIR, name), schemaText(schema));
  written.add(name);
}
// The schema of a command that is gone goes with it.
for (const name of readdirSync(SCHEMAS_DIR)) {
  if (name.endsWith('.json') && !written.has(name)) {
    rmSync(join(SCHEMAS_DIR, name));
    console.log(`removed ${relative(ROOT, join(SCHEMAS_DIR, name))}`);
  }
}
await write(SNAPSHOT_FILE, snapshotText(await commandSnapshot(files)));
