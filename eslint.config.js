const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const lwcConfig = require('@salesforce/eslint-config-lwc');
const jestPlugin = require('eslint-plugin-jest');

module.exports = [
  { ignores: ['node_modules/**', 'coverage/**', '.sf/**', '.sfdx/**'] },
  // The TypeScript tool: scripts/, test/, bench/.
  ...tseslint.config({
    files: ['scripts/**/*.{ts,mts}', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  }),
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/simulator/**/*.ts', 'bench/**/*.ts', 'scripts/*.js'],
    rules: { 'no-console': 'off' },
  },
  // Plain Node scripts (CommonJS) and the ESM entry point.
  {
    files: ['*.js', '*.cjs', 'test/**/*.cjs', 'scripts/*.js', 'bench/**/*.js'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['bin/*.mjs', 'scripts/**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  // Lightning web components, with Salesforce's recommended LWC rules.
  // Stubs of base components in force-app/test/jest-mocks are components too.
  ...lwcConfig.configs.recommended.map((config) => ({
    ...config,
    files: ['force-app/main/default/lwc/**/*.js', 'force-app/test/jest-mocks/**/*.js'],
  })),
  {
    files: ['force-app/main/default/lwc/**/__tests__/**/*.js', 'force-app/test/**/*.js'],
    plugins: { jest: jestPlugin },
    languageOptions: { globals: { ...globals.node, ...globals.jest, ...globals.browser } },
    rules: { ...jestPlugin.configs.recommended.rules, '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off' },
  },
];
