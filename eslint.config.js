// Lint enforces the layering (which folder may import what) and the house style:
// no any, no enums, no default exports, exhaustive switches, no floating promises.
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeOnly = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'stream'];
const heavyPackages = ['electron', 'pouchdb', 'pouchdb-*', 'leveldown', 'serialport', '@serialport/*', 'ws', 'node-thermal-printer', 'express', 'express-pouchdb'];

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-results/**', 'playwright-report/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: [
          './core/tsconfig.test.json',
          './renderer/tsconfig.json',
          './hardware/tsconfig.json',
          './sync/tsconfig.json',
          './electron/tsconfig.json',
          './test/tsconfig.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` union instead of an enum.' },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: restrict([
      { group: nodeOnly, message: 'core is pure: no Node APIs. Inject what you need through an interface.' },
      { group: heavyPackages, message: 'core may not import runtime packages; put I/O in electron/, sync/ or hardware/.' },
      { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'core has no UI; React belongs in renderer/.' },
      { group: ['**/electron/**', '**/renderer/**', '**/sync/**', '**/hardware/**', '**/test/**'], message: 'core imports nothing outside core.' },
    ]),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict([
        { group: nodeOnly, message: 'The renderer is sandboxed: no Node APIs. Ask the station through the contract.' },
        { group: heavyPackages, message: 'The renderer reaches the station only through the contract (renderer/transport).' },
        { group: ['**/electron/**', '**/sync/**', '**/hardware/**', '**/test/**'], message: 'renderer may import core only.' },
      ]),
    },
  },
  {
    files: ['sync/**/*.ts'],
    ignores: ['sync/**/*.test.ts'],
    rules: restrict([
      { group: ['react', 'react-dom', 'electron', 'serialport', '@serialport/*'], message: 'sync may import core and its own packages only.' },
      { group: ['**/electron/**', '**/renderer/**', '**/hardware/**', '**/test/**'], message: 'sync may import core only.' },
    ]),
  },
  {
    files: ['hardware/**/*.ts'],
    ignores: ['hardware/**/*.test.ts'],
    rules: restrict([
      { group: ['react', 'react-dom', 'electron', 'pouchdb', 'pouchdb-*'], message: 'hardware may import core and device packages only.' },
      { group: ['**/electron/**', '**/renderer/**', '**/sync/**', '**/test/**'], message: 'hardware may import core only.' },
    ]),
  },
  {
    files: ['**/*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
