import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'plugins/**', 'evals/suites/**', 'evals/sources/**', 'test/fixtures/**', '.steward/**', '.scratch/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A store or tracker call is async: a forgotten await is a truthy Promise, not a value.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['orchestrator/cli/**/*.ts', 'test/bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // Dependencies point down: orchestrator/ (infrastructure) <- agents/ <- evals/, with the
  // CLI on top. Only orchestrator/cli may import agents/ or evals/.
  {
    files: ['orchestrator/**/*.ts'],
    ignores: ['orchestrator/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/agents/**', '**/evals/**', '**/cli/**'], message: 'orchestrator/ is the infrastructure: it imports neither agents/, evals/ nor the CLI (inject what it needs).' }] }],
    },
  },
  {
    files: ['agents/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/evals/**', '**/orchestrator/cli/**'], message: 'agents/ builds on orchestrator/ only: it imports neither evals/ nor the CLI.' }] }],
    },
  },
  {
    files: ['evals/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/orchestrator/cli/**'], message: 'evals/ builds on orchestrator/ and agents/, never on the CLI.' }] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
