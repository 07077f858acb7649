import { Messages } from '@salesforce/core';
import { Args } from '@oclif/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { relatedListSpec } from '../../../core/related-list-spec.js';
import type { RelatedListSpec } from '../../../core/related-list-transform.js';
import { type PatchedFile, findLayoutFiles, patchLayoutFiles, shortPath } from '../../../org/layout-files.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { relatedListFlags } from '../../../support/related-list-flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'layouts.patch');

export type LayoutsPatchResult = {
  spec: RelatedListSpec;
  outDir: string;
  files: PatchedFile[];
  summary: { changed: number; unchanged: number; error: number };
};

function describeSpec(spec: RelatedListSpec): string {
  const parts = [
    `columns ${spec.fields.join(', ')}`,
    spec.sortField ? `sorted by ${spec.sortField} ${spec.sortOrder ?? ''}`.trim() : '',
    spec.excludeButtons.length > 0 ? `hiding ${spec.excludeButtons.join(', ')}` : '',
    spec.customButtons?.length ? `showing ${spec.customButtons.join(', ')}` : '',
  ];
  return `Related list ${spec.relatedList}: ${parts.filter(Boolean).join('; ')}.`;
}

export default class LayoutsPatch extends CeCommand<LayoutsPatchResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly strict = false;
  public static readonly args = {
    paths: Args.string({ description: messages.getMessage('flags.paths.description'), required: true }),
  };
  public static readonly flags = {
    'out-dir': Flags.directory({ char: 'd', summary: messages.getMessage('flags.out-dir.summary'), required: true }),
    ...relatedListFlags,
    config: flags.config,
  };

  public async run(): Promise<LayoutsPatchResult> {
    const { argv, flags: f } = await this.parse(LayoutsPatch);
    const { config } = this.loadConfig(f.config);
    const spec = relatedListSpec(config, {
      relatedList: f['related-list'],
      fields: f.fields,
      sortField: f['sort-field'],
      sortOrder: f['sort-order'],
      excludeButtons: f['exclude-buttons'],
      customButtons: f['custom-buttons'],
    });
    const inputs = findLayoutFiles(argv as string[]);
    const files = patchLayoutFiles(inputs, spec, f['out-dir']);
    const count = (status: PatchedFile['status']): number => files.filter((file) => file.status === status).length;
    const summary = { changed: count('changed'), unchanged: count('unchanged'), error: count('error') };

    this.log(describeSpec(spec));
    this.table({
      data: files.map((file) => ({
        layout: shortPath(file.path),
        status: file.status,
        detail:
          file.status === 'error'
            ? `line ${file.error?.line ?? '?'}, column ${file.error?.column ?? '?'}: ${file.error?.reason ?? ''}`
            : file.changes.map((c) => c.message).join('\n') || 'already as configured',
      })),
    });
    if (summary.error > 0) {
      this.log(
        `${summary.changed} would change, ${summary.unchanged} unchanged, ${summary.error} malformed: nothing was written.`
      );
      this.warn(messages.getMessage('malformed'));
      process.exitCode = 2;
    } else {
      this.log(
        `${summary.changed} changed (written to ${shortPath(f['out-dir'])}), ${summary.unchanged} unchanged, 0 malformed.`
      );
    }
    return { spec, outDir: f['out-dir'], files, summary };
  }
}
