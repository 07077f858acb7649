import { Messages } from '@salesforce/core';
import { readFileSync } from 'node:fs';
import { Flags } from '@salesforce/sf-plugins-core';
import { type ConfigChange, type Discovery, computeConfigPatch } from '../../core/discovery.js';
import { replaceValues } from '../../core/json-edit.js';
import { discover } from '../../org/discovery.js';
import { CeCommand } from '../../support/ce-command.js';
import { assertWritableConfig, writeFileAtomically } from '../../support/config-file.js';
import * as flags from '../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'discover');

export type DiscoverResult = Discovery & {
  configPath: string;
  changes: ConfigChange[];
  confirmed: string[];
  unverified: string[];
  written: boolean;
  apiCalls: number;
};

const show = (value: unknown): string => (value === null || value === undefined ? '—' : String(value));

export default class Discover extends CeCommand<DiscoverResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    write: Flags.boolean({ summary: messages.getMessage('flags.write.summary'), default: false }),
  };

  public async run(): Promise<DiscoverResult> {
    const { flags: f } = await this.parse(Discover);
    const { path, config } = this.loadConfig(f.config);
    // Refused before any API call: --write outside a project would have nowhere it may write.
    if (f.write) assertWritableConfig(path);
    const session = await this.openOrg(f['target-org']);
    const found = await discover(session.conn, config);
    const patch = computeConfigPatch(config, found);
    let written = false;
    if (f.write && patch.changes.length > 0) {
      const text = readFileSync(path, 'utf8');
      writeFileAtomically(
        path,
        replaceValues(
          text,
          patch.changes.map((c) => ({ pointer: c.path, value: c.to }))
        )
      );
      written = true;
    }
    const result: DiscoverResult = { ...found, configPath: path, ...patch, written, apiCalls: session.calls.count };
    this.render(result);
    return result;
  }

  private render(r: DiscoverResult): void {
    const e = r.enrollment;
    const rows: Array<{ item: string; found: string }> = [
      ...r.packages.map((p) => ({
        item: `package ${p.key}`,
        found: p.installed
          ? `${p.name} (namespace ${show(p.namespace)}) ${p.installed}, ${show(p.versionId)}`
          : 'not installed',
      })),
      { item: 'Enrollment object', found: e ? `${e.object}${e.label ? ` (${e.label})` : ''}` : 'not found' },
    ];
    if (e) {
      const display: Array<[string, string | null]> = [
        ['course name field', e.courseNameField],
        ['course ID field', e.courseIdField],
        ['progress field', e.progressField],
        ['enrollment date field', e.enrollmentDateField],
        ['attempt field', e.attemptField],
      ];
      rows.push(
        { item: 'Contact lookup', found: `${e.contactField} (relationship ${show(e.relationshipName)})` },
        { item: 'External ID field', found: show(e.externalIdField) },
        { item: 'timestamp field', found: show(e.timestampField) },
        { item: 'timestamp candidates', found: e.timestampCandidates.join(', ') || 'none' },
        { item: 'email field', found: show(e.emailField) },
        ...display.map(([item, value]) => ({ item, found: show(value) }))
      );
    }
    rows.push(
      {
        item: 'permission set',
        found: r.permissionSet
          ? `${r.permissionSet.label}: ${r.permissionSet.namespace ? `${r.permissionSet.namespace}__` : ''}${r.permissionSet.name}`
          : 'not found',
      },
      ...r.contactLayouts.map((name, i) => ({ item: i === 0 ? 'Contact layouts' : '', found: name })),
      ...(r.contactLayouts.length === 0 ? [{ item: 'Contact layouts', found: 'none' }] : [])
    );
    this.table({ data: rows });
    if (r.packagesUnreadable) this.warn(`Installed packages could not be read: ${r.packagesUnreadable}.`);
    if (!e && r.enrollmentCandidates.length > 0) {
      this.warn(
        `More than one possible Enrollment object: ${r.enrollmentCandidates.join(', ')}. Set enrollment.object in the config.`
      );
    }
    if (r.changes.length === 0) {
      this.log(`${r.configPath} already matches the org (${r.apiCalls} API calls).`);
      return;
    }
    this.log(`${r.written ? 'Updated' : 'Differences from'} ${r.configPath}:`);
    for (const c of r.changes) {
      if (c.path !== '/unverified') this.log(`  ${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
    }
    if (r.confirmed.length > 0) this.log(`  confirmed by the org, no longer unverified: ${r.confirmed.join(', ')}`);
    if (!r.written) this.log('Run again with --write to update the config.');
  }
}
