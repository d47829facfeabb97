import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Most test time is spent waiting on a database or an HTTP answer: two files at a time even on two cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'product', include: ['tests/**/*.test.ts'], exclude: ['tests/handlers/**'] } },
      // Handler tests share nothing but the modules (each file has its own database and rolls back every
      // test), so they skip the per-file module isolation, which costs them more than the tests themselves.
      { extends: true, test: { name: 'handlers', include: ['tests/handlers/**/*.test.ts'], isolate: false } },
    ],
  },
});
