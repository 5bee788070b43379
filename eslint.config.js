import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const features = ['chat', 'models', 'stats', 'device'];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'playwright-report', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks, 'import-x': importX },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      // Property signatures: methods would be flagged as unbound wherever they are passed along.
      '@typescript-eslint/method-signature-style': ['error', 'property'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            // Features do not import each other; the app composes them.
            ...features.map((name) => ({
              target: `./src/features/${name}`,
              from: './src/features',
              except: [`./${name}`],
              message: 'Features do not import each other: move shared code to src/lib.',
            })),
            {
              target: './src/lib',
              from: ['./src/features', './src/app', './src/engine'],
              message: 'src/lib is shared and feature-free.',
            },
            {
              target: ['./src/app', './src/features'],
              from: './src/engine',
              message: 'UI code reaches the engine only through src/lib/engine-client.ts.',
            },
            {
              target: './src/engine',
              from: ['./src/features', './src/app'],
              message: 'The worker does not import UI code.',
            },
          ],
        },
      ],
    },
  },
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
