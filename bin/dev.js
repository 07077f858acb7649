#!/usr/bin/env -S node --import tsx --no-warnings=ExperimentalWarning
// Runs the TypeScript sources (src/) instead of lib/, for development: `bin/dev.js packages check -o sim`.
import { execute } from '@oclif/core';
import { withCeTopic } from './topic.js';

await execute({ development: true, dir: import.meta.url, args: withCeTopic(process.argv.slice(2)) });
