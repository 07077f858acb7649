// Every API route of the simulated org, in match order. To add an area, write routes/<area>.ts exporting
// `routes: Route[]` and add one import and one line in the list.
import type { Route } from '../types';
import { routes as auth } from './auth';
import { routes as bulk2 } from './bulk2';
import { routes as ce } from './ce';
import { routes as composite } from './composite';
import { routes as limits } from './limits';
import { routes as metadataSoap } from './metadata-soap';
import { routes as packageInstall } from './package-install';
import { routes as query } from './query';
import { routes as sobjects } from './sobjects';

// prettier-ignore
export const routes: Route[] = [
  ...auth,
  ...query,
  ...composite,
  ...packageInstall,
  ...sobjects,
  ...limits,
  ...metadataSoap,
  ...bulk2,
  ...ce,
];
