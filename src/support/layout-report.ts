import type { SfCommand } from '@salesforce/sf-plugins-core';

/** One layout's line in the `layouts apply` and `layouts rollback` reports. */
export type LayoutRow = {
  fullName: string;
  status: 'unchanged' | 'changed' | 'restored' | 'failed';
  /** Whether the change reached the org (false on --dry-run, or when validation failed). */
  deployed: boolean;
  problems: string[];
};

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
