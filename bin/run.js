#!/usr/bin/env node
// The compiled tool (lib/, built by `npm ci`'s prepare step). Every command lives under the `ce` topic, as the
// sf CLI shows it (`sf ce setup`); the bare `ce-connect` bin is the same tool without sf, so it puts the topic in
// front of the arguments: `ce-connect setup` runs `ce setup`.
import { execute, settings } from '@oclif/core';
import { withCeTopic } from './topic.js';

// Always the compiled lib/: oclif would otherwise look for the TypeScript sources whenever NODE_ENV is "test"
// or "development" (as under jest), and this bin is the shipped one.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url, args: withCeTopic(process.argv.slice(2)) });
