import { defineConfig } from 'vitest/config';

/**
 * The browser end-to-end test: it builds the page, serves it on loopback and drives headless
 * Chromium, whose WebGPU runs on SwiftShader (a CPU) in CI, hence the long timeouts.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
