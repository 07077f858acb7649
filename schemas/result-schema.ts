// The result contracts of ce-connect's commands, shared by `npm run schemas` (schemas/generate.ts, which writes
// them) and test/unit/result-schemas.test.ts (which checks the committed files still match the source).
// A command is the default export of a file under src/commands/ce; its folder path is its id
// (src/commands/ce/packages/check.ts is ce:packages:check), as oclif finds it.
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CompletedConfig,
  DEFAULT_CONFIG,
  SchemaGenerator,
  type Schema,
  createFormatter,
  createParser,
  ts,
} from 'ts-json-schema-generator';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const COMMANDS_DIR = join(ROOT, 'src', 'commands');
export const SCHEMAS_DIR = join(ROOT, 'schemas');

export type CommandFile = { id: string; file: string };

/** Every command file under src/commands, sorted by command id. */
export function commandFiles(dir = COMMANDS_DIR): CommandFile[] {
  const found: CommandFile[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        found.push({ id: relative(dir, path).slice(0, -'.ts'.length).split(sep).join(':'), file: path });
      }
    }
  };
  walk(dir);
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The schema file of a command, named as sf plugins name theirs: ce:packages:check → ce-packages-check.json. */
export function schemaFileName(id: string): string {
  return `${id.replace(/:/g, '-')}.json`;
}

// The generator's defaults (additionalProperties: false, sorted properties, JSDoc descriptions), with the type check
// left to `npm run typecheck`: the program below is built without one.
const TSCONFIG = join(ROOT, 'tsconfig.json');
const CONFIG: CompletedConfig = { ...DEFAULT_CONFIG, skipTypeCheck: true, tsconfig: TSCONFIG };

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    TSCONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    }
  );
  if (!parsed) throw new Error(`Cannot read ${TSCONFIG}`);
  return { ...parsed.options, noEmit: true };
}

/** The type argument T of the command class's `extends CeCommand<T>` (or any base with one type argument). */
function resultTypeNode(source: ts.SourceFile, checker: ts.TypeChecker): ts.Node {
  const classes = source.statements.filter(ts.isClassDeclaration);
  const command = classes.find((c) => c.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword));
  if (!command) throw new Error(`${source.fileName}: no default-exported command class`);
  const base = command.heritageClauses
    ?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
    ?.types.find((t) => t.typeArguments?.length === 1);
  const argument = base?.typeArguments?.[0];
  if (!argument || !ts.isTypeReferenceNode(argument)) {
    throw new Error(`${source.fileName}: the command class does not extend CeCommand<ResultType>`);
  }
  let symbol = checker.getSymbolAtLocation(argument.typeName);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.find((d) => ts.isTypeAliasDeclaration(d) || ts.isInterfaceDeclaration(d));
  if (!declaration) {
    throw new Error(`${source.fileName}: ${argument.getText(source)} is not a type alias or interface`);
  }
  return declaration;
}

/**
 * The JSON Schema of every command's `--json` result, keyed by command id: one TypeScript program for all the
 * command files, one generator over it.
 */
export function resultSchemas(files: CommandFile[] = commandFiles()): Map<string, Schema> {
  const program = ts.createProgram(
    files.map((f) => f.file),
    compilerOptions()
  );
  const checker = program.getTypeChecker();
  const generator = new SchemaGenerator(program, createParser(program, CONFIG), createFormatter(CONFIG), CONFIG);
  const schemas = new Map<string, Schema>();
  for (const { id, file } of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not in the program`);
    try {
      schemas.set(id, generator.createSchemaFromNodes([resultTypeNode(source, checker)]));
    } catch (error) {
      throw new Error(`${id}: cannot generate the result schema: ${(error as Error).message}`, { cause: error });
    }
  }
  return schemas;
}

/** A schema as its file holds it, before formatting: 2-space JSON with a final newline. */
export function schemaText(schema: Schema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
