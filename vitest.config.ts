import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Most test time is spent waiting on a database or an HTTP answer: three files at a time even on two cores
    // (measured on this 2-core machine, both databases: 284 s with two, 266 s with three).
    maxWorkers: 3,
    // Test files share nothing but the modules (each opens its own database and app), so they skip the
    // per-file module isolation, which cost about a third of the suite's CPU. Module state must therefore
    // not depend on which database a file uses (see handlers/customers.ts's index cache).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'product', include: ['tests/**/*.test.ts'], exclude: ['tests/handlers/**'] } },
      // The handler tests (one database per file, every test rolled back) run in workers of their own.
      { extends: true, test: { name: 'handlers', include: ['tests/handlers/**/*.test.ts'] } },
    ],
  },
});
