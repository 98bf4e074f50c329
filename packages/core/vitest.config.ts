import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      server: {
        deps: {
          // Core's own tests run its sources, whose register-gradients imports tfjs-core's ESM
          // gradient files; inlining lets Vite resolve their extensionless imports. Other
          // packages use the built @lgpt/core, which carries the bundled copy.
          inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core)/],
        },
      },
      projects: [
        { extends: true, test: { name: 'core' } },
        {
          // The GEMM's relaxed-SIMD build, which Node 20 runs only with relaxed SIMD turned on.
          extends: true,
          test: {
            name: 'relaxed-simd',
            include: ['test/gemm.test.ts'],
            setupFiles: ['test/setup-relaxed-simd.ts'],
            env: { LGPT_EXPECT_RELAXED_SIMD: '1' },
          },
        },
      ],
    },
  }),
);
