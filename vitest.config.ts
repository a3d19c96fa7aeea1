import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources in tests ("source" export condition),
    // so unit tests never run stale dist/ code. End-to-end tests spawn the built binary instead.
    conditions: ['source'],
  },
  test: {
    globalSetup: ['./packages/cli/test/global-setup.ts'],
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
