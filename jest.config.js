import { createRequire } from 'node:module';

const { jestConfig: lwcJestConfig } = createRequire(import.meta.url)('@salesforce/sfdx-lwc-jest/config');

// Two projects: LWC tests run in jsdom with Salesforce's LWC transforms (CommonJS, as force-app/package.json and
// preview/lightning/package.json tell jest), node tests (unit, e2e against the simulated org, contract, browser)
// as ES modules, like the tool itself. Each is limited to its own folder so neither picks up the other's tests.
// `npm run jest` passes Node the --experimental-vm-modules flag that jest's ES module support needs.
export default {
  // Every core the machine has (jest's default leaves one idle): the node tests run in process now, so they are
  // CPU-bound, and a real process is started only where a process is the point.
  maxWorkers: '100%',
  projects: [
    {
      ...lwcJestConfig,
      displayName: 'lwc',
      roots: ['<rootDir>/force-app'],
      setupFilesAfterEnv: ['<rootDir>/force-app/test/jest-setup.js'],
      moduleNameMapper: {
        '^c/(.+)$': '<rootDir>/force-app/main/default/lwc/$1/$1',
        // Platform modules whose sfdx-lwc-jest stubs are too thin to assert on (see each file); the progress bar's
        // stand-in is the one the preview renders.
        '^lightning/navigation$': '<rootDir>/force-app/test/jest-mocks/lightning/navigation',
        '^lightning/progressBar$': '<rootDir>/preview/lightning/progressBar/progressBar',
      },
    },
    {
      displayName: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{unit,e2e,contract,browser}/**/*.test.ts'],
      // Jest's default vm realm makes fs errors fail `instanceof Error` checks inside @salesforce/core.
      testEnvironment: '<rootDir>/test/jest-node-env.cjs',
      extensionsToTreatAsEsm: ['.ts'],
      // Sources import each other as `./x.js` (Node's ES module rule); jest resolves those to the .ts files.
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.check.json', diagnostics: false, useESM: true }],
      },
      moduleFileExtensions: ['ts', 'js', 'json'],
      setupFiles: ['<rootDir>/test/helpers/isolate-env.ts'],
    },
  ],
};
