import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const features = ['chat', 'models', 'stats', 'device', 'privacy', 'library'];

/** Forbids relative imports that climb into one of `folders` (e.g. `../../engine/x.ts`). */
const forbid = (folders, message) => ({
  'no-restricted-imports': [
    'error',
    { patterns: [{ regex: `^(\\.\\./)+(${folders.join('|')})/`, message }] },
  ],
});

/** The architecture's import directions (see README, "How it is built"). */
const boundaries = [
  // Features do not import each other; the app composes them. From src/features/<name>/…,
  // `../` (or `../../`) is src/features, so `../models/` is another feature.
  ...features.map((name) => ({
    files: [`src/features/${name}/**`],
    rules: forbid(
      [...features.filter((other) => other !== name), 'engine', 'app'],
      'Features do not import each other, the app, or worker code: share through src/lib.',
    ),
  })),
  {
    files: ['src/components/**'],
    rules: forbid(
      ['features', 'app', 'engine'],
      'Shared components are feature-free and do not reach the worker.',
    ),
  },
  {
    files: ['src/lib/**'],
    rules: forbid(['features', 'app', 'engine'], 'src/lib is shared and feature-free.'),
  },
  {
    files: ['src/app/**'],
    rules: forbid(['engine'], 'UI code reaches the worker only through src/lib/engine-client.ts.'),
  },
  {
    files: ['src/engine/**'],
    rules: forbid(['features', 'app'], 'The worker does not import UI code.'),
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'playwright-report',
      'test-results',
      // The benchmark's generated models, results and bare-page build.
      'bench-models',
      'bench-results',
      'dist-bench',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      // Property signatures: methods would be flagged as unbound wherever they are passed along.
      '@typescript-eslint/method-signature-style': ['error', 'property'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  ...boundaries,
  {
    // Scripted fakes implement async interfaces without awaiting anything.
    files: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
