// Every API route of the simulated org, in match order. To add an area, write routes/<area>.ts exporting
// `routes: Route[]` and add one import and one line in the list.
import type { Route } from '../types.js';
import { routes as auth } from './auth.js';
import { routes as bulk2 } from './bulk2.js';
import { routes as ce } from './ce.js';
import { routes as composite } from './composite.js';
import { routes as devHub } from './dev-hub.js';
import { routes as limits } from './limits.js';
import { routes as metadataSoap } from './metadata-soap.js';
import { routes as packageInstall } from './package-install.js';
import { routes as query } from './query.js';
import { routes as sobjects } from './sobjects.js';

// prettier-ignore
export const routes: Route[] = [
  ...auth,
  ...query,
  ...composite,
  ...packageInstall,
  ...devHub,
  ...sobjects,
  ...limits,
  ...metadataSoap,
  ...bulk2,
  ...ce,
];
