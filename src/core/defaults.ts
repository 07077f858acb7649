/**
 * Defaults that more than one command applies, kept here so that `setup` and the step's own command behave
 * alike (a backfill run by setup waits, polls and splits jobs as `backfill run` does).
 */
export const BACKFILL_DEFAULTS = {
  /** Minutes to wait for each Bulk API job before stopping; the job keeps running in Salesforce. */
  waitMinutes: 60,
  /** Seconds between status reads of a running Bulk API job. */
  pollIntervalSeconds: 5,
  /**
   * Bytes of CSV per Bulk API 2.0 ingest job. Salesforce's limit is 100 MB of CSV per job ("Bulk API 2.0 and
   * Bulk API Limits and Allocations"); MB read as 10^6 bytes stays under it whichever way it is meant.
   */
  maxJobBytes: 100_000_000,
  /** Rows per upsert file: the Data Import Wizard's 50,000 records per import, so a file also suits it. */
  rowsPerFile: 50_000,
} as const;

export const PACKAGE_DEFAULTS = {
  /** Minutes to wait for each package: its availability, then its install request. */
  waitMinutes: 20,
} as const;

export const FLEET_DEFAULTS = {
  /**
   * The API calls one org's work is planned to take, for the check before it starts (an org with less than twice
   * this left of its daily allowance is skipped). Measured on simulated orgs (`npm run bench:fleet`): the
   * checklist makes 29 to 33 calls (more with Contact record pages to read), planning setup about as many, and a
   * whole setup of an outdated org 59 to 63, most of them the waits' status reads, which grow with how long the
   * installs take: 200 covers twenty-minute installs.
   */
  plannedCalls: { checklist: 40, setupPlan: 40, setup: 200 },
} as const;
