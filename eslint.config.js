// Lint for the whole repo. The import boundary (aesthetics rule 2): only adapter files may import
// kafkajs, ioredis, ws or @kubernetes/client-node, so swapping a client is a one-folder change.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const adapterOnly = ['kafkajs', 'ioredis', 'ws', '@kubernetes/client-node'];
const adapterFiles = [
  'gateway/src/adapters/**',
  'gateway/client/adapters/**',
  'operator/src/runtime/kube*.ts',
  'operator/src/adapters/**',
  'test/**',
  'scripts/**',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'charts/**', '.ces/**', 'dashboards/generated/**', '**/*.d.ts', 'test/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: adapterOnly.map((name) => ({
            name,
            message: `Only adapter files may import ${name}; go through a port (see eslint.config.js).`,
          })),
          patterns: [{ group: ['@kubernetes/client-node/*', 'kafkajs/*', 'ioredis/*', 'ws/*'], message: 'Adapter-only package.' }],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through config.ts (validated once, frozen, passed down).' },
      ],
    },
  },
  {
    files: adapterFiles,
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The only places allowed to read process.env: config loaders, test harness, scripts.
    files: ['**/config.ts', '**/config/*.ts', 'test/**', 'scripts/**', 'cdk8s/src/main.ts', 'dashboards/src/generate.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
