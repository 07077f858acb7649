import type { Org } from '@salesforce/core';

/**
 * The name the admin used for the org (`-o prod`), so suggested commands read as they would type them;
 * the username when the org came from the sf default target org.
 */
export function targetAlias(argv: string[], org: Org): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === '-o' || arg === '--target-org') && argv[i + 1]) return argv[i + 1];
    if (arg.startsWith('--target-org=')) return arg.slice('--target-org='.length);
    if (arg.startsWith('-o') && arg.length > 2) return arg.slice(2).replace(/^=/, '');
  }
  return org.getUsername() ?? '<org>';
}
