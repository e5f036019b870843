import { defineConfig } from 'vitest/config';

// The end-to-end suite builds a lab of real services (lab/setup.sh, as root): one file, one lab, in order.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 30 * 60_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    pool: 'forks',
  },
});
