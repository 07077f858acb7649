// Org limits (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm).
// DailyApiRequests follows the same counter as the Sforce-Limit-Info header; a Dev Hub also reports its scratch
// org allocations, ActiveScratchOrgs and DailyScratchOrgs (the names `sf org list limits` shows for a Dev Hub).
import { activeSignups, dailySignups, devHubOf } from '../dev-hub.js';
import type { Route } from '../types.js';
import { rest } from './paths.js';

export const routes: Route[] = [
  {
    method: 'GET',
    pattern: rest('/limits/?'),
    api: 'rest',
    handle(_req, _m, org) {
      const limit = (max: number, used = 0) => ({ Max: max, Remaining: Math.max(0, max - used) });
      const hub = devHubOf(org);
      return {
        status: 200,
        body: {
          DailyApiRequests: limit(org.apiLimit, org.apiUsage),
          DailyBulkApiBatches: limit(15000, Number(org.flags.bulkBatchesUsed ?? 0)),
          DailyBulkV2QueryJobs: limit(10000, Number(org.flags.bulkQueryJobsUsed ?? 0)),
          DailyBulkV2QueryFileStorageMB: limit(976562),
          DataStorageMB: limit(5120, 12),
          FileStorageMB: limit(5120, 3),
          ...(hub && {
            ActiveScratchOrgs: limit(hub.activeScratchOrgs, activeSignups(org)),
            DailyScratchOrgs: limit(hub.dailyScratchOrgs, dailySignups(org)),
          }),
        },
      };
    },
  },
];
