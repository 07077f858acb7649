// What a real org checks when a Lightning web component bundle is deployed, limited to the rules this project
// depends on: its configuration file (targets, the record page's objects, design properties) and what its
// JavaScript refers to (Custom Labels, other components). Each rule cites where its behaviour and, where known,
// its wording come from; the rest is marked as an assumption.
// Configuration file: https://developer.salesforce.com/docs/platform/lwc/guide/reference-configuration-tags.html
// lightning__RecordPage target: https://developer.salesforce.com/docs/platform/lwc/guide/targets-lightning-record-page.html
import type { XmlElement } from '../../src/core/xml-scan.js';
import type { OrgState } from '../org-state.js';
import type { LightningComponent } from '../types.js';
import { type LayoutProblem, METADATA_NS, at, parseComponent } from './layout-checks.js';

/** A problem in one file of the bundle (a path inside the bundle folder). */
export type BundleProblem = LayoutProblem & { file: string };

/**
 * Target values the configuration file reference lists ("XML Configuration File Elements", `targets`, linked
 * above; each value has its own page, such as targets-lightning-voice-extension.html and
 * targets-lightning-agentforce-input.html): the Lightning App Builder pages (including the Voice Extension page),
 * quick and global actions, flows, Experience Builder, Embedded Service chat and Messaging for In-App and Web
 * (lightningSnapin__ChatHeader in "Lightning Web Components for Embedded Service", lightningSnapin__MessagingHeader
 * in "Customize the Messaging Conversation Window Header Using LWC"), email, CRM Analytics dashboards, Enablement
 * programs, Document Builder, custom property editors and agent actions. A value outside these is refused: a real
 * org may know targets added after this list was written (checked against the reference in 2026).
 */
export const KNOWN_TARGETS = new Set([
  'analytics__Dashboard',
  'lightning__AgentforceInput',
  'lightning__AgentforceOutput',
  'lightning__AppPage',
  'lightning__ECSFSApp',
  'lightning__EnablementProgram',
  'lightning__FlowAction',
  'lightning__FlowScreen',
  'lightning__GlobalAction',
  'lightning__HomePage',
  'lightning__Inbox',
  'lightning__PropertyEditor',
  'lightning__RecordAction',
  'lightning__RecordPage',
  'lightning__ServiceDocument',
  'lightning__Tab',
  'lightning__UrlAddressable',
  'lightning__UtilityBar',
  'lightning__VoiceExtension',
  'lightningCommunity__Default',
  'lightningCommunity__Page',
  'lightningCommunity__Page_Layout',
  'lightningCommunity__Theme_Layout',
  'lightningSnapin__ChatHeader',
  'lightningSnapin__ChatMessage',
  'lightningSnapin__MessagingHeader',
  'lightningSnapin__MessagingPreChat',
  'lightningSnapin__Minimized',
  'lightningSnapin__PreChat',
  'lightningStatic__Email',
]);

/** What the rest of a deploy offers the bundle: labels and components deployed with it. */
export type DeployContext = { labels: Set<string>; components: Set<string> };

/** The attributes of an element's start tag (the scanner keeps positions, not attributes). */
export function attributes(xml: string, element: XmlElement): Record<string, string> {
  const tag = xml.slice(element.start, element.openEnd);
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[m[1]] = (m[2] ?? m[3])
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return out;
}

const children = (element: XmlElement, local: string): XmlElement[] =>
  element.children.filter((c) => c.local === local);

/** The names a component's JavaScript class makes public with @api (fields, getters and setters). */
export function publicProperties(js: string): Set<string> {
  const names = new Set<string>();
  for (const m of js.matchAll(/@api\s+(?:(?:get|set|static|async)\s+)?([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  return names;
}

/** The bundle's design: what a Lightning page may place and set, once the bundle is deployed. */
export function componentOf(fullName: string, metaXml: string): LightningComponent {
  const parsed = parseComponent(metaXml, fullName);
  if ('problems' in parsed) return { name: fullName, namespace: 'c', properties: [] };
  const { root } = parsed;
  const text = (local: string): string | undefined => children(root, local)[0]?.text.trim();
  const configs = children(root, 'targetConfigs').flatMap((c) => children(c, 'targetConfig'));
  const properties = configs.flatMap((c) => children(c, 'property').map((p) => attributes(metaXml, p).name ?? ''));
  const objects = configs
    .filter((c) => (attributes(metaXml, c).targets ?? '').includes('lightning__RecordPage'))
    .flatMap((c) => children(c, 'objects').flatMap((o) => children(o, 'object').map((e) => e.text.trim())));
  return {
    name: fullName,
    namespace: 'c',
    properties: [...new Set(properties.filter(Boolean))],
    exposed: text('isExposed') === 'true',
    targets: children(root, 'targets').flatMap((t) => children(t, 'target').map((e) => e.text.trim())),
    ...(objects.length > 0 && { objects }),
  };
}

function metaProblems(org: OrgState, fullName: string, xml: string, js: string | undefined): LayoutProblem[] {
  const parsed = parseComponent(xml, fullName);
  if ('problems' in parsed) return parsed.problems;
  const { root } = parsed;
  if (root.local !== 'LightningComponentBundle') {
    return [
      {
        problem: `Element ${METADATA_NS}${root.local} invalid at this location in type LightningComponentBundle`,
        ...at(xml, root),
      },
    ];
  }
  const problems: LayoutProblem[] = [];
  const declared = new Set<string>();
  for (const target of children(root, 'targets').flatMap((t) => children(t, 'target'))) {
    const name = target.text.trim();
    declared.add(name);
    // An assumption in wording: no recorded response shows an unknown target refused.
    if (!KNOWN_TARGETS.has(name)) problems.push({ problem: `Invalid target: ${name}`, ...at(xml, target) });
  }
  const exposed = js === undefined ? new Set<string>() : publicProperties(js);
  for (const config of children(root, 'targetConfigs').flatMap((c) => children(c, 'targetConfig'))) {
    const targets = (attributes(xml, config).targets ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    // "The targets attribute value must match one or more of the page types that you listed under <targets>"
    // (lightning__RecordPage Target); the wording of the refusal is an assumption.
    for (const target of targets.filter((t) => !declared.has(t))) {
      problems.push({ problem: `The targetConfig target ${target} isn't listed in targets`, ...at(xml, config) });
    }
    for (const object of children(config, 'objects').flatMap((o) => children(o, 'object'))) {
      const name = object.text.trim();
      // https://github.com/trailheadapps/ebikes-lwc/issues/337
      if (!org.getObject(name)) {
        problems.push({
          problem: `Invalid reference ${name} of type sobjectClass in file ${fullName}.js-meta.xml`,
          ...at(xml, object),
        });
      }
    }
    for (const property of children(config, 'property')) {
      const name = attributes(xml, property).name ?? '';
      // A design property must be a public (@api) property of the component's class (lightning__RecordPage
      // Target, property "name"); the org refuses the deploy otherwise
      // (https://github.com/forcedotcom/cli/issues/3339). The wording is an assumption.
      if (js !== undefined && !exposed.has(name)) {
        problems.push({
          problem: `The property ${name} doesn't exist on the component or isn't public (@api) in ${fullName}.js`,
          ...at(xml, property),
        });
      }
    }
  }
  return problems;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** What a module's imports name that the org (or this deploy) does not have. */
function importProblems(org: OrgState, file: string, js: string, context: DeployContext): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const orgLabels = new Set(org.listMetadata('CustomLabel').map((l) => l.fullName.toLowerCase()));
  for (const m of js.matchAll(/from\s+['"]@salesforce\/label\/c\.([A-Za-z]\w*)['"]/g)) {
    const label = m[1].toLowerCase();
    if (orgLabels.has(label) || context.labels.has(label)) continue;
    // https://github.com/SalesforceLabs/Data-Fetcher/issues/9
    problems.push({
      problem: `Invalid reference c.${m[1]} of type label in file ${file}`,
      lineNumber: lineOf(js, m.index ?? 0),
    });
  }
  const orgComponents = new Set(org.listMetadata('LightningComponentBundle').map((c) => c.fullName.toLowerCase()));
  for (const m of js.matchAll(/from\s+['"]c\/([A-Za-z]\w*)['"]/g)) {
    const name = m[1].toLowerCase();
    if (orgComponents.has(name) || context.components.has(name)) continue;
    // An assumption: worded like the label reference above.
    problems.push({
      problem: `Invalid reference c/${m[1]} of type module in file ${file}`,
      lineNumber: lineOf(js, m.index ?? 0),
    });
  }
  return problems;
}

/** Everything wrong with one deployed bundle, by file; empty when it is fine. */
export function checkBundle(
  org: OrgState,
  fullName: string,
  files: Record<string, string>,
  context: DeployContext
): BundleProblem[] {
  const metaFile = `${fullName}.js-meta.xml`;
  const meta = files[metaFile];
  if (meta === undefined) {
    // Every component folder must include its configuration file (XML Configuration File Elements); the
    // wording is an assumption.
    return [
      { file: metaFile, problem: `The Lightning web component ${fullName} has no configuration file ${metaFile}` },
    ];
  }
  const problems: BundleProblem[] = metaProblems(org, fullName, meta, files[`${fullName}.js`]).map((p) => ({
    ...p,
    file: metaFile,
  }));
  for (const [file, content] of Object.entries(files)) {
    if (!file.endsWith('.js')) continue;
    problems.push(...importProblems(org, file, content, context).map((p) => ({ ...p, file })));
  }
  return problems;
}
