// The result contracts: each command's --json result schema (schemas/*.json) and its flags
// (command-snapshot.json) as committed must match what the source says now. A change to either is a change to
// what scripts built on ce-connect can rely on, so it has to be made on purpose: `npm run schemas` rewrites the
// files and the diff shows it in review.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, jest } from '@jest/globals';
import { SNAPSHOT_FILE, type SnapshotEntry, commandSnapshot } from '../../schemas/command-snapshot.js';
import { SCHEMAS_DIR, commandFiles, resultSchemas, schemaFileName, schemaText } from '../../schemas/result-schema.js';

// One TypeScript program for every command file takes a few seconds to build and check.
jest.setTimeout(60_000);

const REGENERATE = 'run `npm run schemas` and commit the change to schemas/ and command-snapshot.json';
const files = commandFiles();

/** Runs an assertion, prefixing its failure with what changed and how to record an intended change. */
function explained(header: string, assertion: () => void): void {
  try {
    assertion();
  } catch (error) {
    if (error instanceof Error) error.message = `${header}\n\n${error.message}`;
    throw error;
  }
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('result schemas', () => {
  let generated: Map<string, unknown>;

  beforeAll(() => {
    generated = new Map([...resultSchemas(files)].map(([id, schema]) => [id, JSON.parse(schemaText(schema))]));
  });

  it('finds the commands', () => {
    expect(files.map((f) => f.id)).toContain('ce:packages:check');
  });

  it('has a schema file for every command and none for a command that is gone', () => {
    const expected = files.map((f) => schemaFileName(f.id)).sort();
    const committed = readdirSync(SCHEMAS_DIR)
      .filter((name) => name.endsWith('.json'))
      .sort();
    explained(
      `schemas/ does not hold one file per command in src/commands (missing ones are new commands, extra ones are orphans): ${REGENERATE}.`,
      () => expect(committed).toEqual(expected)
    );
  });

  it.each(files.map((f) => f.id))('%s: the --json result has the committed shape', (id) => {
    const path = join(SCHEMAS_DIR, schemaFileName(id));
    explained(`The --json result of ${id} has no schema file, schemas/${schemaFileName(id)}: ${REGENERATE}.`, () =>
      expect(existsSync(path)).toBe(true)
    );
    explained(
      `The --json result of ${id} changed shape (its result type no longer matches schemas/${schemaFileName(id)}). If the change is intended, ${REGENERATE}.`,
      () => expect(generated.get(id)).toStrictEqual(readJson(path))
    );
  });
});

describe('command snapshot', () => {
  it('lists every command with the flags and aliases it accepts', async () => {
    const current = await commandSnapshot(files);
    const committed = existsSync(SNAPSHOT_FILE) ? (readJson(SNAPSHOT_FILE) as SnapshotEntry[]) : [];
    const changed = [
      ...new Set([
        ...current.filter((e) => JSON.stringify(e) !== JSON.stringify(committed.find((c) => c.command === e.command))),
        ...committed.filter((c) => !current.some((e) => e.command === c.command)),
      ]),
    ].map((e) => e.command);
    explained(
      `The flags or aliases of ${changed.join(', ') || 'the commands'} changed (command-snapshot.json no longer matches the command classes). If the change is intended, ${REGENERATE}.`,
      () => expect(current).toStrictEqual(committed)
    );
  });
});
