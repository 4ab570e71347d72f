import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Domain folders may not import I/O modules: dependencies point inward. */
const ioModules = [
  'node:child_process',
  'node:http',
  'node:net',
  'node:fs',
  'node:fs/promises',
  'fastify',
  'kysely',
  'better-sqlite3',
  'undici',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/out/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/features/*/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({
            name,
            message: 'Domain code is pure: map I/O at the edge.',
          })),
        },
      ],
    },
  },
  {
    files: ['examples/**/*.js', 'bin/**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
