// A Dev Hub's signup requests as @salesforce/core reads them while it waits for a scratch org: each status read of
// a ScratchOrgInfo moves the signup on (see ../dev-hub.ts), then the record is answered as any sObject retrieve.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
import { SimError } from '../errors.js';
import { devHubOf, readSignup } from '../dev-hub.js';
import type { Route } from '../types.js';
import { rest } from './paths.js';
import { recordBody } from './sobjects.js';

export const routes: Route[] = [
  {
    method: 'GET',
    pattern: rest('/sobjects/ScratchOrgInfo/([a-zA-Z0-9]{15,18})/?'),
    api: 'rest',
    async handle(req, m, org) {
      const object = org.requireObject('ScratchOrgInfo', 'data');
      if (devHubOf(org)) await readSignup(org, m[1]);
      const record = org.get(object.name, m[1]);
      if (!record) throw new SimError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const fields = req.query
        .get('fields')
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      // The signup moves on by itself in Salesforce: the caller's read writes nothing.
      return { status: 200, body: recordBody(object, record, req, 'data', fields), write: false };
    },
  },
];
