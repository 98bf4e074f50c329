import { defineConfig } from 'vitest/config';

/**
 * Test settings every package shares. Suites run once per backend (see @lgpt/core/testing), and
 * WebGPU runs on a software GPU in CI, so timeouts are generous; numbers come from `pnpm bench`,
 * never from timed tests.
 */
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
