import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/fixtures/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // Steward's JSON logs stay out of the test report unless something is wrong.
    env: { STEWARD_LOG_LEVEL: 'error' },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
