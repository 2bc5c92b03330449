import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure and in-process tests, parallel) and `lab` (real keepalived,
// nginx and Tomcat in network namespaces: root only, one lab at a time).
export default defineConfig({
  test: {
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          // Unit files run first, in parallel; the lab files then get a quiet machine
          // (keepalived's 1 s adverts and nginx checks are timing-sensitive under load).
          sequence: { groupOrder: 0 },
          include: ['{apps,packages}/*/src/**/*.test.{ts,tsx}'],
          exclude: ['**/*.lab.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
          // Every TCP connect goes to loopback, or the test fails naming the address.
          setupFiles: ['./tools/vitest-loopback-guard.ts'],
        },
      },
      {
        test: {
          name: 'lab',
          sequence: { groupOrder: 1 },
          include: ['{apps,packages}/*/src/**/*.lab.test.ts', 'apps/web/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
