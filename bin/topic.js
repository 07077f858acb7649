// Maps the bare `ce-connect` arguments onto the `ce` topic that the sf CLI shows. Flags of the CLI itself
// (`--version`) stay as they are; `ce-connect`, `ce-connect --help` and `ce-connect help <command>` show the ce
// topic's help; `ce-connect ce …` is accepted as well.
const CLI_FLAGS = new Set(['--version', '-v', 'version']);

export function withCeTopic(args) {
  const [first, ...rest] = args;
  if (first === undefined || first === '--help' || first === '-h') return ['ce', ...args];
  if (CLI_FLAGS.has(first) || first === 'ce') return args;
  if (first === 'help') return rest[0] === 'ce' ? args : ['help', 'ce', ...rest];
  return ['ce', ...args];
}
