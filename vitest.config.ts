import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    // Tests wait for conditions, not for time; these bounds are generous so that the suite passes
    // on a machine half as fast with another `npm test` beside it (see test/wait.ts).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default: far too short on a busy machine.
    expect: { poll: { timeout: 20_000 } },
    // Test files create their own databases; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
