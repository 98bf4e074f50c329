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
    },
  }),
);
