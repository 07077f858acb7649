import js from '@eslint/js';
import lwcConfig from '@salesforce/eslint-config-lwc';
import jestPlugin from 'eslint-plugin-jest';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['node_modules/**', 'coverage/**', 'lib/**', '.sf/**', '.sfdx/**'] },
  // The TypeScript tool (src/), the simulated org (simulator/), the tests, the benchmarks and the schema generator.
  ...tseslint.config({
    files: ['src/**/*.ts', 'simulator/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'schemas/**/*.ts'],
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
    files: ['simulator/**/*.ts', 'bench/**/*.ts', 'schemas/**/*.ts', 'demo/**/*.js'],
    rules: { 'no-console': 'off' },
  },
  // The shipped tool never imports the simulator.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/simulator/**'], message: 'The simulator is a test double, not part of the tool.' }],
        },
      ],
    },
  },
  // Plain Node scripts: ES modules, like the rest of the project; .cjs files are CommonJS.
  {
    files: ['*.js', 'bin/*.js', 'demo/**/*.js', 'bench/**/*.js', 'test/checks/*.js'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  // Lightning web components, with Salesforce's recommended LWC rules.
  // Stubs of base components in force-app/test/jest-mocks, and the preview's stand-ins, are components too.
  ...lwcConfig.configs.recommended.map((config) => ({
    ...config,
    files: ['force-app/main/default/lwc/**/*.js', 'force-app/test/jest-mocks/**/*.js', 'preview/lightning/**/*.js'],
  })),
  {
    files: ['force-app/main/default/lwc/**/__tests__/**/*.js', 'force-app/test/**/*.js'],
    plugins: { jest: jestPlugin },
    languageOptions: { globals: { ...globals.node, ...globals.jest, ...globals.browser } },
    rules: { ...jestPlugin.configs.recommended.rules, '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off' },
  },
];
