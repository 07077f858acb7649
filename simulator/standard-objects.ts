// The standard and Tooling objects the simulated org knows, with the fields the tool reads or writes.
// Field names and key prefixes follow the Object Reference and the Tooling API reference:
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/
// https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/
// Key prefixes: https://help.salesforce.com/s/articleView?id=000385203 (standard field record ID prefix decoder).
import type { FieldDef, ObjectDef } from './types.js';

/** User and system permissions, as the `Permissions<Name>` booleans on Profile and PermissionSet. */
export const PERMISSIONS = [
  'ApiEnabled',
  'ApiUserOnly',
  'AssignPermissionSets',
  'AuthorApex',
  'CustomizeApplication',
  'InstallPackaging',
  'ManageProfilesPermissionsets',
  // "Manage User Access Policies", which creating or changing a user access policy needs (Metadata API Developer
  // Guide, UserAccessPolicy > Special Access Rules); the field name follows the Permissions<Name> pattern (assumption).
  'ManageUserAccessPolicies',
  'ManageUsers',
  'ModifyAllData',
  'MonitorLoginHistory',
  'ModifyMetadata',
  'ViewAllData',
  'ViewAllUsers',
  'ViewSetup',
];

const permissionFields = (): FieldDef[] =>
  PERMISSIONS.map((p) => ({ name: `Permissions${p}`, type: 'boolean', defaultValue: false }) satisfies FieldDef);

const ref = (
  name: string,
  to: string | string[],
  relationshipName: string,
  extra: Partial<FieldDef> = {}
): FieldDef => ({
  name,
  type: 'reference',
  referenceTo: Array.isArray(to) ? to : [to],
  relationshipName,
  ...extra,
});

const str = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type: 'string',
  length: 255,
  ...extra,
});
const bool = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type: 'boolean',
  defaultValue: false,
  ...extra,
});
const int = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'int', ...extra });
const dt = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type: 'datetime', ...extra });
const ro = { readOnly: true };

export const STANDARD_OBJECTS: ObjectDef[] = [
  {
    name: 'Organization',
    keyPrefix: '00D',
    api: 'both',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      str('Name', { length: 80 }),
      str('InstanceName', ro),
      bool('IsSandbox', ro),
      dt('TrialExpirationDate', ro),
      str('NamespacePrefix', ro),
      str('OrganizationType', ro),
      str('Country'),
      str('DefaultLocaleSidKey'),
    ],
  },
  {
    name: 'UserLicense',
    keyPrefix: '100',
    api: 'both',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      str('Name', ro),
      str('MasterLabel', ro),
      str('LicenseDefinitionKey', ro),
      str('Status', ro),
      int('TotalLicenses', ro),
      int('UsedLicenses', ro),
    ],
  },
  {
    name: 'Profile',
    keyPrefix: '00e',
    api: 'both',
    fields: [
      str('Name', { required: true, nillable: false }),
      ref('UserLicenseId', 'UserLicense', 'UserLicense', { createOnly: true }),
      str('UserType', ro),
      str('Description'),
      ...permissionFields(),
    ],
  },
  {
    name: 'User',
    keyPrefix: '005',
    api: 'both',
    deletable: false,
    fields: [
      str('Username', { required: true, nillable: false, unique: true, length: 80 }),
      str('FirstName', { length: 40 }),
      str('LastName', { required: true, nillable: false, length: 80 }),
      str('Name', ro),
      { name: 'Email', type: 'email', required: true, nillable: false, length: 128 },
      str('Alias', { length: 8 }),
      bool('IsActive', { defaultValue: true }),
      str('UserType', ro),
      ref('ProfileId', 'Profile', 'Profile', { required: true, nillable: false }),
      dt('LastLoginDate', ro),
      str('TimeZoneSidKey'),
      str('Department', { length: 80 }),
      str('Title', { length: 80 }),
    ],
  },
  {
    // Status is the group's recalculation status: Updated (current), Outdated (needs recalculation), Updating
    // (being recalculated), Failed (the recalculation failed):
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetgroup.htm
    name: 'PermissionSetGroup',
    keyPrefix: '0PG',
    api: 'both',
    fields: [
      str('DeveloperName', { required: true, nillable: false, length: 80 }),
      str('MasterLabel', { required: true, nillable: false, length: 80 }),
      str('NamespacePrefix', ro),
      {
        name: 'Status',
        type: 'picklist',
        picklistValues: ['Failed', 'Outdated', 'Updated', 'Updating'],
        readOnly: true,
      },
      str('Description'),
    ],
  },
  {
    name: 'PermissionSet',
    keyPrefix: '0PS',
    api: 'both',
    fields: [
      str('Name', { required: true, nillable: false, length: 80 }),
      str('Label', { required: true, nillable: false, length: 80 }),
      str('NamespacePrefix', ro),
      bool('IsOwnedByProfile', ro),
      ref('ProfileId', 'Profile', 'Profile', ro),
      ref('PermissionSetGroupId', 'PermissionSetGroup', 'PermissionSetGroup', ro),
      bool('IsCustom', ro),
      ref('LicenseId', 'UserLicense', 'License', { createOnly: true }),
      str('Type', ro),
      str('Description'),
      ...permissionFields(),
    ],
  },
  {
    name: 'PermissionSetGroupComponent',
    keyPrefix: '0PC',
    api: 'both',
    fields: [
      ref('PermissionSetGroupId', 'PermissionSetGroup', 'PermissionSetGroup', {
        required: true,
        nillable: false,
        createOnly: true,
        childRelationshipName: 'PermissionSetGroupComponents',
      }),
      ref('PermissionSetId', 'PermissionSet', 'PermissionSet', { required: true, nillable: false, createOnly: true }),
    ],
  },
  {
    name: 'PermissionSetAssignment',
    keyPrefix: '0Pa',
    api: 'both',
    fields: [
      ref('AssigneeId', 'User', 'Assignee', {
        required: true,
        nillable: false,
        createOnly: true,
        childRelationshipName: 'PermissionSetAssignments',
      }),
      ref('PermissionSetId', 'PermissionSet', 'PermissionSet', {
        nillable: true,
        createOnly: true,
        childRelationshipName: 'Assignments',
      }),
      ref('PermissionSetGroupId', 'PermissionSetGroup', 'PermissionSetGroup', { createOnly: true }),
      dt('ExpirationDate'),
      bool('IsActive', { readOnly: true, defaultValue: true }),
      bool('IsRevoked', ro),
    ],
  },
  {
    // Object access of a permission set (profile-owned ones included), one row per object:
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
    name: 'ObjectPermissions',
    keyPrefix: '110',
    api: 'data',
    fields: [
      ref('ParentId', 'PermissionSet', 'Parent', {
        required: true,
        nillable: false,
        createOnly: true,
        childRelationshipName: 'ObjectPerms',
      }),
      str('SobjectType', { required: true, nillable: false, createOnly: true }),
      bool('PermissionsRead'),
      bool('PermissionsCreate'),
      bool('PermissionsEdit'),
      bool('PermissionsDelete'),
      bool('PermissionsViewAllRecords'),
      bool('PermissionsModifyAllRecords'),
    ],
  },
  {
    // Tab visibility of a permission set (profile-owned ones included): a row per tab that is Default On or
    // Default Off; a hidden tab has no row. Name is the tab's API name (a custom object's tab is named like the
    // object). API 45.0+ in the data API, and in the Tooling API:
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsettabsetting.htm
    // https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_permissionsettabsetting.htm
    // The key prefix is an assumption.
    name: 'PermissionSetTabSetting',
    keyPrefix: '01P',
    api: 'both',
    fields: [
      ref('ParentId', 'PermissionSet', 'Parent', { required: true, nillable: false, createOnly: true }),
      str('Name', { required: true, nillable: false, createOnly: true, length: 60 }),
      { name: 'Visibility', type: 'picklist', picklistValues: ['DefaultOff', 'DefaultOn'] },
    ],
  },
  {
    name: 'Account',
    keyPrefix: '001',
    api: 'data',
    fields: [str('Name', { required: true, nillable: false }), ref('OwnerId', 'User', 'Owner')],
  },
  {
    name: 'Contact',
    keyPrefix: '003',
    api: 'data',
    fields: [
      str('FirstName', { length: 40 }),
      str('LastName', { required: true, nillable: false, length: 80 }),
      str('Name', ro),
      { name: 'Email', type: 'email', length: 80 },
      str('Title', { length: 128 }),
      { name: 'Phone', type: 'phone', length: 40 },
      ref('AccountId', 'Account', 'Account', { childRelationshipName: 'Contacts' }),
      ref('OwnerId', 'User', 'Owner'),
    ],
  },
  {
    name: 'LoginHistory',
    keyPrefix: '0Ya',
    api: 'data',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      ref('UserId', 'User', 'User', ro),
      dt('LoginTime', ro),
      str('LoginType', ro),
      str('LoginSubType', ro),
      str('Application', { readOnly: true, filterable: false }),
      str('Status', { readOnly: true, filterable: false }),
      str('SourceIp', ro),
      str('LoginUrl', ro),
    ],
  },
  {
    name: 'OauthToken',
    keyPrefix: '0CQ',
    api: 'data',
    createable: false,
    updateable: false,
    fields: [
      str('AppName', ro),
      ref('UserId', 'User', 'User', ro),
      dt('LastUsedDate', ro),
      int('UseCount', ro),
      str('AppMenuItemId', ro),
      str('DeleteToken', ro),
    ],
  },
  // ---- Tooling API objects (https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/) ----
  {
    name: 'SubscriberPackage',
    keyPrefix: '033',
    api: 'tooling',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [str('Name', ro), str('NamespacePrefix', ro), str('Description', ro), bool('IsPackageValid', ro)],
  },
  {
    name: 'SubscriberPackageVersion',
    keyPrefix: '04t',
    api: 'tooling',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      str('Name', ro),
      ref('SubscriberPackageId', 'SubscriberPackage', 'SubscriberPackage', ro),
      int('MajorVersion', ro),
      int('MinorVersion', ro),
      int('PatchVersion', ro),
      int('BuildNumber', ro),
      bool('IsManaged', ro),
      bool('IsBeta', ro),
      bool('IsDeprecated', ro),
      bool('IsPasswordProtected', ro),
      bool('IsSecurityReviewed', ro),
      bool('IsOrgDependent', ro),
      str('ReleaseState', ro),
      str('Package2ContainerOptions', ro),
      str('InstallValidationStatus', ro),
      str('Description', ro),
      str('PublisherName', ro),
      str('AppExchangeDescription', ro),
      str('AppExchangeLogoUrl', ro),
      str('AppExchangePackageName', ro),
      str('AppExchangePublisherName', ro),
      str('PostInstallUrl', ro),
      str('ReleaseNotesUrl', ro),
      { name: 'CspTrustedSites', type: 'anyType', readOnly: true },
      { name: 'RemoteSiteSettings', type: 'anyType', readOnly: true },
      { name: 'Dependencies', type: 'anyType', readOnly: true },
      { name: 'Profiles', type: 'anyType', readOnly: true },
      { name: 'InstallationKey', type: 'string', readOnly: true },
    ],
  },
  {
    name: 'InstalledSubscriberPackage',
    keyPrefix: '0A3',
    api: 'tooling',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      ref('SubscriberPackageId', 'SubscriberPackage', 'SubscriberPackage', ro),
      ref('SubscriberPackageVersionId', 'SubscriberPackageVersion', 'SubscriberPackageVersion', ro),
      ref('MinPackageVersionId', 'SubscriberPackageVersion', 'MinPackageVersion', ro),
    ],
  },
  {
    name: 'PackageInstallRequest',
    keyPrefix: '0Hf',
    api: 'tooling',
    updateable: false,
    deletable: false,
    fields: [
      str('SubscriberPackageVersionKey', { required: true, nillable: false }),
      { name: 'SecurityType', type: 'picklist', picklistValues: ['Custom', 'Full', 'None'] },
      str('Password'),
      bool('EnableRss'),
      str('NameConflictResolution'),
      str('UpgradeType'),
      str('ApexCompileType'),
      str('PackageInstallSource'),
      str('SkipHandlers'),
      { name: 'ProfileMappings', type: 'anyType' },
      str('Status', ro),
      { name: 'Errors', type: 'anyType', readOnly: true },
    ],
  },
  {
    name: 'Layout',
    keyPrefix: '00h',
    api: 'tooling',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      str('Name', ro),
      str('NamespacePrefix', ro),
      str('TableEnumOrId', ro),
      str('LayoutType', ro),
      str('ManageableState', ro),
      str('FullName', ro),
      { name: 'Metadata', type: 'anyType', readOnly: true },
    ],
  },
  {
    // sf org login asks for the org's sandboxes; a production org answers with its (here: no) SandboxProcess rows.
    // https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_sandboxprocess.htm
    name: 'SandboxProcess',
    keyPrefix: '0GR',
    api: 'tooling',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      str('Status', ro),
      str('SandboxName', ro),
      str('SandboxInfoId', ro),
      str('LicenseType', ro),
      int('CopyProgress', ro),
      str('SandboxOrganization', ro),
      str('SourceId', ro),
      str('Description', ro),
      dt('EndDate', ro),
      str('Features', ro),
    ],
  },
  {
    // Source tracking's change list. sfdx-core resets its counters after deploying a new scratch org's settings
    // (updateRevisionCounterToZero): `SELECT Id FROM SourceMember WHERE RevisionCounter > 0`.
    // https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_sourcemember.htm
    name: 'SourceMember',
    keyPrefix: '0MZ',
    api: 'tooling',
    fields: [
      str('MemberType', ro),
      str('MemberName', ro),
      int('RevisionCounter'),
      bool('IsNameObsolete', ro),
      bool('IsNewMember', ro),
    ],
  },
  {
    // A user access policy, kept in step with the org's UserAccessPolicy metadata components (query only; the
    // policy itself is deployed through the Metadata API). API 57.0+:
    // https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-useraccesspolicy.html
    // The key prefix is an assumption.
    name: 'UserAccessPolicy',
    keyPrefix: '0yp',
    api: 'both',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      str('DeveloperName', ro),
      str('MasterLabel', ro),
      str('NamespacePrefix', ro),
      str('Description', ro),
      str('BooleanFilter', ro),
      str('Status', ro),
      str('TriggerType', ro),
      int('Order', ro),
    ],
  },
  {
    name: 'ProfileLayout',
    keyPrefix: '01G',
    api: 'tooling',
    createable: false,
    updateable: false,
    deletable: false,
    fields: [
      ref('LayoutId', 'Layout', 'Layout', ro),
      ref('ProfileId', 'Profile', 'Profile', ro),
      str('RecordTypeId', ro),
      str('TableEnumOrId', ro),
    ],
  },
];
