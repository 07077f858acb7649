import { formatDateTime } from './ids.js';

// The Metadata API components of a simulated org, kept as their XML (source format), as retrieve and deploy see
// them, with the FileProperties that listMetadata reports.
/** A Metadata API component kept as its XML (source format), as retrieve and deploy see it. */
export type MetadataComponent = {
  type: string;
  fullName: string;
  /** The component's XML (for a bundle, its -meta.xml file). */
  content: string;
  /** A bundle's files by their path inside the bundle folder (`contactEnrollments.js`), the meta file included. */
  files?: Record<string, string>;
  /** The managed package's namespace, for installed components. */
  namespacePrefix?: string;
  /** `installed` for components from a managed package, `unmanaged` otherwise (FileProperties.manageableState). */
  manageableState: 'installed' | 'unmanaged';
  id: string;
  createdDate: string;
  lastModifiedDate: string;
};

export type MetadataStoreHooks = {
  now: () => Date;
  /** Called after every change, so the org counts it as a write. */
  changed: () => void;
  /** Keeps a record that mirrors the component (a Tooling Layout row) in step; returns its Id. */
  putRow: (component: MetadataComponent) => string | undefined;
  deleteRow: (component: MetadataComponent) => void;
};

export class MetadataStore {
  private readonly byType = new Map<string, Map<string, MetadataComponent>>();

  public constructor(private readonly hooks: MetadataStoreHooks) {}

  public put(
    type: string,
    fullName: string,
    content: string,
    options: {
      namespacePrefix?: string;
      manageableState?: 'installed' | 'unmanaged';
      files?: Record<string, string>;
    } = {}
  ): MetadataComponent {
    const byName = this.byType.get(type) ?? new Map<string, MetadataComponent>();
    this.byType.set(type, byName);
    const existing = byName.get(fullName);
    const now = formatDateTime(this.hooks.now());
    const component: MetadataComponent = {
      type,
      fullName,
      content,
      ...(options.files && { files: options.files }),
      namespacePrefix: options.namespacePrefix ?? existing?.namespacePrefix,
      manageableState: options.manageableState ?? existing?.manageableState ?? 'unmanaged',
      id: existing?.id ?? '',
      createdDate: existing?.createdDate ?? now,
      lastModifiedDate: now,
    };
    component.id = this.hooks.putRow(component) ?? (component.id || `SIM${type}${byName.size}`);
    byName.set(fullName, component);
    this.hooks.changed();
    return component;
  }

  public get(type: string, fullName: string): MetadataComponent | undefined {
    return this.byType.get(type)?.get(fullName);
  }

  public list(type: string): MetadataComponent[] {
    return [...(this.byType.get(type)?.values() ?? [])];
  }

  public delete(type: string, fullName: string): boolean {
    const component = this.byType.get(type)?.get(fullName);
    if (!component) return false;
    this.byType.get(type)?.delete(fullName);
    this.hooks.deleteRow(component);
    this.hooks.changed();
    return true;
  }
}
