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
   * checklist makes 17 calls on a ready org (a few more with Contact record pages to read), so 30 leaves room.
   */
  plannedCalls: {
    checklist: 30,
    /** Planning setup reads about as much as the checklist. */
    setupPlan: 30,
    /**
     * A whole setup of an outdated org: 64 calls measured (`npm run bench:setup`), most of them the waits' status
     * reads, which grow with how long the installs take; 200 covers twenty-minute installs.
     */
    setup: 200,
  },
} as const;
