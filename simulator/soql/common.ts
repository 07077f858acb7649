// What the SOQL evaluator's parts share: the query options and result shapes, and its one way to refuse.
import { SimError } from '../errors.js';
import type { ApiSurface } from '../org-state.js';

export type QueryOptions = {
  api: ApiSurface;
  /** queryAll: include deleted records. */
  includeDeleted?: boolean;
  /** The user running the query (query guards use it). */
  userId?: string;
  /** The API version of the request, for building record URLs. */
  apiVersion?: string;
};

/** One output row in the REST shape: attributes plus the selected fields, parents nested as objects. */
export type OutputRecord = Record<string, unknown> & { attributes: { type: string; url: string } };

export type QueryOutcome = { totalSize: number; records: OutputRecord[] };

export const malformed = (message: string): SimError => new SimError(400, 'MALFORMED_QUERY', message);

export const unsupported = (what: string): SimError =>
  malformed(`${what} is not supported by the simulated org (it answers only the SOQL it can evaluate faithfully)`);
