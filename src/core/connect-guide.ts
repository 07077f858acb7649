/**
 * The steps the CE admin follows in Customer Education to connect it to this org, with the org's own values
 * filled in (vendor runbook: reference/northpass.md §1, "Current flow"). Pure: the org layer reads the facts.
 */

/** The org kinds CE distinguishes: production, or a sandbox (scratch orgs included). */
export type OrgKind = 'production' | 'sandbox' | 'scratch';

export type GuideStep = {
  id: 'open' | 'instance-url' | 'sandbox-toggle' | 'authorize' | 'card-missing' | 'connected';
  title: string;
  detail: string;
  /** The value to type or choose, when the step has one. */
  value?: string;
};

export type ConnectGuide = {
  org: { name: string; kind: OrgKind };
  instanceUrl: string;
  sandbox: boolean;
  integrationUser: { username: string; exists: boolean; active: boolean };
  steps: GuideStep[];
  warnings: string[];
};

/** My Domain hosts end in my.salesforce.com (production, sandbox, scratch, developer: reference §8). */
const MY_DOMAIN = /^https:\/\/[^/]+\.my\.salesforce\.com$/i;

export function buildConnectGuide(input: {
  orgName: string;
  kind: OrgKind;
  instanceUrl: string;
  username: string;
  user: { isActive: boolean } | null;
  /** The -o value the admin used, for the commands we suggest. */
  targetOrg: string;
}): ConnectGuide {
  const sandbox = input.kind !== 'production';
  const warnings: string[] = [];
  if (!MY_DOMAIN.test(input.instanceUrl)) {
    warnings.push(
      `${input.instanceUrl} is not a My Domain URL (…my.salesforce.com). Paste the URL shown in Setup > My Domain instead, if it differs.`
    );
  }
  if (!input.user) {
    warnings.push(
      `There is no user ${input.username} in this org: create it first, then run \`ce-connect integration-user check -o ${input.targetOrg}\`.`
    );
  } else if (!input.user.isActive) {
    warnings.push(`${input.username} is inactive: activate it before authorizing, or CE's login will fail.`);
  }
  const kindText = input.kind === 'scratch' ? 'a scratch org (a sandbox for CE)' : input.kind;
  const steps: GuideStep[] = [
    {
      id: 'open',
      title: 'Open the Salesforce integration in CE',
      detail: 'In Customer Education (app.northpass.com) go to Apps → Integrations → Salesforce.',
    },
    {
      id: 'instance-url',
      title: 'Enter the instance URL',
      detail: `In the "Salesforce Instance Setup" card, paste this org's URL exactly as shown (${input.orgName}).`,
      value: input.instanceUrl,
    },
    {
      id: 'sandbox-toggle',
      title: `Turn "This is a sandbox instance" ${sandbox ? 'ON' : 'OFF'}`,
      detail: `This org is ${kindText}; CE sends ${sandbox ? 'sandbox' : 'production'} logins to the matching Salesforce login service.`,
      value: sandbox ? 'on' : 'off',
    },
    {
      id: 'authorize',
      title: `Authorize, logging in as ${input.username}`,
      detail: `Click Authorize and log in to Salesforce as ${input.username}, not as yourself: CE acts with the rights of whoever logs in. Use a private browser window so an open Salesforce session is not reused.`,
      value: input.username,
    },
    {
      id: 'card-missing',
      title: 'If the "Salesforce Instance Setup" card is missing',
      detail: 'Turn the Salesforce integration off, save, and reload the page; the card appears again.',
    },
    {
      id: 'connected',
      title: 'What success looks like',
      detail: `CE shows the integration as CONNECTED, and Salesforce records an OAuth login (Remote Access 2.0) of ${input.username}. To see that login from here: \`ce-connect connect-guide -o ${input.targetOrg} --wait 10\`.`,
    },
  ];
  return {
    org: { name: input.orgName, kind: input.kind },
    instanceUrl: input.instanceUrl,
    sandbox,
    integrationUser: { username: input.username, exists: input.user !== null, active: input.user?.isActive ?? false },
    steps,
    warnings,
  };
}
