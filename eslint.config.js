import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'lib/**', 'node_modules/**', 'coverage/**', 'jenkins/resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
  },
  {
    // src/server/store owns every query (docs/architecture.md): elsewhere, code hands the store the
    // service context or a transaction and never builds a query or reaches for the handle.
    files: ['src/**/*.ts'],
    ignores: ['src/server/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kysely', message: 'Queries live in src/server/store/.' }] },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='ctx'][property.name='db']",
          message: 'Hand the store the context or a transaction (store/source.ts), not ctx.db.',
        },
        {
          selector:
            'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)$/]',
          message: 'Queries live in src/server/store/.',
        },
      ],
    },
  },
  {
    // TypeBox's modules held more of the service's idle memory than anything else: its types
    // are welcome, its run-time builders come from src/api/type.ts.
    files: ['src/**/*.ts'],
    ignores: ['src/api/type.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^typebox(/.*)?$',
              allowTypeImports: true,
              message: 'Import Type from src/api/type.ts; only types come from typebox.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'bin/**', 'test/setup/**', 'bench/**', '**/*.cjs'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
