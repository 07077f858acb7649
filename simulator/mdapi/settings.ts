// Org settings as Metadata API Settings components: one file per settings type, `settings/<Name>.settings`,
// whose root element is `<Name>Settings` (package.xml names them all as type Settings, members by name), and
// readMetadata of a settings type (`UserManagementSettings`, fullName `UserManagement`).
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_settings.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_usermanagementsettings.htm
import { XMLParser } from 'fast-xml-parser';
import { escapeXml } from './soap.js';

export function settingsXml(name: string, values: Record<string, string | number | boolean>): string {
  const fields = Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `    <${key}>${escapeXml(String(value))}</${key}>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${name}Settings xmlns="http://soap.sforce.com/2006/04/metadata">\n${fields}</${name}Settings>\n`;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** The top-level values of a settings file, as text (nested elements are left out). */
export function readSettings(content: string): Record<string, string> {
  const parsed = parser.parse(content) as Record<string, unknown>;
  const root = Object.entries(parsed).find(([key]) => key.endsWith('Settings'))?.[1];
  const values: Record<string, string> = {};
  if (root && typeof root === 'object') {
    for (const [key, value] of Object.entries(root as Record<string, unknown>)) {
      if (typeof value === 'string') values[key] = value;
    }
  }
  return values;
}

/**
 * Defaults of the settings an org has before anyone changes them. User access policies are off until an admin
 * turns them on ("The default value is false", UserManagementSettings.userAccessPoliciesEnabled, API 58.0+).
 */
export const SETTINGS_DEFAULTS: Record<string, Record<string, string>> = {
  UserManagement: { userAccessPoliciesEnabled: 'false' },
};

/** A setting's value in the org: the stored Settings component's, else the default. */
export function settingValue(content: string | undefined, name: string, field: string): string | undefined {
  const stored = content === undefined ? {} : readSettings(content);
  return stored[field] ?? SETTINGS_DEFAULTS[name]?.[field];
}
