const { jestConfig: lwcJestConfig } = require('@salesforce/sfdx-lwc-jest/config');

// Two projects: LWC tests run in jsdom with Salesforce's LWC transforms, node tests (unit and e2e against the
// simulated org) in node. Each is limited to its own folder so neither picks up the other's tests.
module.exports = {
  projects: [
    {
      ...lwcJestConfig,
      displayName: 'lwc',
      roots: ['<rootDir>/force-app'],
      setupFilesAfterEnv: ['<rootDir>/force-app/test/jest-setup.js'],
      moduleNameMapper: {
        '^c/(.+)$': '<rootDir>/force-app/main/default/lwc/$1/$1',
        // Platform modules whose sfdx-lwc-jest stubs are too thin to assert on (see each file).
        '^lightning/navigation$': '<rootDir>/force-app/test/jest-mocks/lightning/navigation',
        '^lightning/progressBar$': '<rootDir>/force-app/test/jest-mocks/lightning/progressBar/progressBar',
      },
    },
    {
      displayName: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{unit,e2e}/**/*.test.ts'],
      // Jest's default vm realm makes fs errors fail `instanceof Error` checks inside @salesforce/core.
      testEnvironment: '<rootDir>/test/jest-node-env.cjs',
      transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }] },
      moduleFileExtensions: ['ts', 'js', 'json'],
      setupFiles: ['<rootDir>/test/helpers/isolate-env.ts'],
    },
  ],
};
