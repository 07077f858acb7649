// NUTs: the same commands as the e2e tests, against a real org. Kept out of `npm test`; run with `npm run test:nuts`.
export default {
  displayName: 'nuts',
  roots: ['<rootDir>/test/nuts'],
  testMatch: ['<rootDir>/test/nuts/**/*.nut.ts'],
  testEnvironment: '<rootDir>/test/jest-node-env.cjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.check.json', diagnostics: false, useESM: true }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60 * 60 * 1000,
};
