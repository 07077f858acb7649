// NUTs: the same commands as the e2e tests, against a real org. Kept out of `npm test`; run with `npm run test:nuts`.
module.exports = {
  displayName: 'nuts',
  roots: ['<rootDir>/test/nuts'],
  testMatch: ['<rootDir>/test/nuts/**/*.nut.ts'],
  testEnvironment: '<rootDir>/test/jest-node-env.cjs',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60 * 60 * 1000,
};
