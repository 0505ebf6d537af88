// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.data',
      '.temporal',
      '.moto',
      'coverage',
      'dist',
      'dist.*',
      'test/support/*.js',
      'bin',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests use jest's asymmetric matchers (typed any) freely.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // The workflow sandbox: deterministic code only. Time comes from src/workflows/clock.ts,
    // everything else from @temporalio/workflow and the pure modules (timeline, lists specs).
    files: ['src/workflows/**/*.ts', 'src/timeline/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflow-side and pure code must not use Node built-ins.',
          })),
          patterns: [
            {
              group: [
                '**/activities',
                '**/activities/**',
                '**/infra',
                '**/infra/**',
                '**/client/**',
                '**/worker/**',
                '**/web/**',
              ],
              message: 'Workflows import only pure modules (types of activities are fine).',
              allowTypeImports: true,
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'process', message: 'No process in workflow-side code.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Not deterministic.' },
      ],
    },
  },
  {
    // Layers point one way (docs/architecture.md): the web app reaches workflows only through the client and
    // its read model, and infrastructure only through app.deployment; the process entry (server.ts) builds it.
    files: ['src/web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/**', '**/activities', '**/activities/**', '**/worker/**'],
              message:
                'The web app reaches workflows through src/client (InspectionsClient, read model, commands).',
            },
            {
              group: ['**/infra', '**/infra/**', '!**/infra/config'],
              message: 'The web app uses infrastructure through app.deployment (type imports only).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/web/server.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/workflows/**', '**/activities/**'], message: 'Through src/client only.' }],
        },
      ],
    },
  },
  {
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/web', '**/web/**', '**/worker/**'],
              message:
                'The client talks to workflows through Temporal and to infrastructure through the deployment.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/activities/**/*.ts', 'src/infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../client', '../client/**', '../**/client/**', '../web', '../web/**', '../**/web/**'],
              message: 'Activities and infrastructure know nothing of the client or the web app.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date']",
          message: 'Use now() from ./clock: workflow time, not wall time.',
        },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'Use now() from ./clock.',
        },
      ],
    },
  },
);
