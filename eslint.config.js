import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The library's layers, top to bottom. A file may import from its own layer and from the layers below it, never
// from one above: data flows one way, from the module and the client down to the wire.
const LAYERS = [
  { name: 'command', paths: ['lib/bin'] },
  {
    name: 'entries',
    paths: ['lib/index.ts', 'lib/testing/index.ts', 'lib/stores/index.ts', 'lib/redis/index.ts', 'lib/health/index.ts'],
  },
  { name: 'testing kit', paths: ['lib/testing'] },
  {
    name: 'module',
    paths: [
      'lib/customerio.module.ts',
      'lib/customerio.module-definition.ts',
      'lib/customerio.module-installation.ts',
      'lib/customerio.module-target.ts',
    ],
  },
  { name: 'sandbox', paths: ['lib/sandbox'] },
  { name: 'health', paths: ['lib/health'] },
  { name: 'decorators', paths: ['lib/decorators'] },
  { name: 'client', paths: ['lib/client'] },
  { name: 'operations', paths: ['lib/operations'] },
  { name: 'delivery', paths: ['lib/delivery'] },
  { name: 'stores', paths: ['lib/stores'] },
  { name: 'transport', paths: ['lib/transport'] },
  { name: 'observability', paths: ['lib/observability'] },
  { name: 'options', paths: ['lib/options'] },
  { name: 'validation', paths: ['lib/validation'] },
  { name: 'interfaces', paths: ['lib/interfaces'] },
  { name: 'errors', paths: ['lib/errors'] },
  { name: 'constants', paths: ['lib/customerio.constants.ts'] },
];

/** For each layer, the zone that forbids its files to import from any layer above it. */
const upwardZones = LAYERS.slice(1).map((layer, index) => ({
  target: layer.paths,
  from: LAYERS.slice(0, index + 1).flatMap((upper) => upper.paths),
  message: `the ${layer.name} layer imports only from the layers below it (eslint.config.js)`,
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['lib/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })] },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...upwardZones,
            {
              target: 'lib/sandbox',
              from: 'lib',
              except: ['./sandbox', './customerio.constants.ts'],
              message:
                'the sandbox (a Customer.io stand-in, which the module and the testing kit may start) imports only the constants',
            },
          ],
        },
      ],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'sample-app/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
