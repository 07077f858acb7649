#!/usr/bin/env node
// The CLI is written in TypeScript and run through tsx, so `npx ce-connect` works straight after `npm ci`
// with no build step, and the code that runs is always the code in the repository.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { execute } from '@oclif/core';

registerEsm();
registerCjs();
await execute({ dir: import.meta.url });
