/**
 * The org name exactly as the admin typed it after -o/--target-org (an alias or a username), so the commands we
 * suggest can be pasted back as they are. Falls back to the resolved username, then to a placeholder.
 */
export function targetOrgName(argv: string[], username?: string): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === '-o' || arg === '--target-org') && argv[i + 1]) return argv[i + 1];
    if (arg.startsWith('--target-org=')) return arg.slice('--target-org='.length);
    if (arg.startsWith('-o') && arg.length > 2) return arg.slice(2).replace(/^=/, '');
  }
  return username ?? '<org>';
}

/** The Dev Hub exactly as the admin typed it after -v/--target-dev-hub, if it was typed. */
export function devHubName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === '-v' || arg === '--target-dev-hub') && argv[i + 1]) return argv[i + 1];
    if (arg.startsWith('--target-dev-hub=')) return arg.slice('--target-dev-hub='.length);
    if (arg.startsWith('-v') && arg.length > 2) return arg.slice(2).replace(/^=/, '');
  }
  return undefined;
}
