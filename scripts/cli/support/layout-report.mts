import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { ComponentProblem } from '../../org/metadata.js';

/** One layout's line in the `layouts apply` and `layouts rollback` reports. */
export type LayoutRow = {
  fullName: string;
  status: 'unchanged' | 'changed' | 'restored' | 'failed';
  /** Whether the change reached the org (false on --dry-run, or when validation failed). */
  deployed: boolean;
  problems: string[];
};

/** Deploy problems by layout, each with its position when the org gave one; '' holds deploy-wide ones. */
export function problemsByLayout(problems: ComponentProblem[]): Map<string, string[]> {
  const byLayout = new Map<string, string[]>();
  for (const p of problems) {
    const where =
      p.line === undefined ? '' : ` (line ${p.line}${p.column === undefined ? '' : `, column ${p.column}`})`;
    byLayout.set(p.fullName, [...(byLayout.get(p.fullName) ?? []), `${p.problem}${where}`]);
  }
  return byLayout;
}

export function renderLayouts<R extends LayoutRow>(
  command: SfCommand<unknown>,
  rows: R[],
  detail: (row: R) => string
): void {
  if (rows.length === 0) {
    command.log('No layout matched.');
    return;
  }
  command.table({
    data: rows.map((row) => ({
      layout: row.fullName,
      status:
        !row.deployed && (row.status === 'changed' || row.status === 'restored')
          ? `would be ${row.status}`
          : row.status,
      detail: detail(row),
    })),
  });
}
