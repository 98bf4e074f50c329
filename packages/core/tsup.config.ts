import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// Three builds run in parallel, so none of them may clean dist/ itself.
rmSync('dist', { recursive: true, force: true });
const noClean = { clean: false };

export default defineConfig([
  packageBuild(
    { index: 'src/index.ts', testing: 'src/testing.ts' },
    // The gradient registration is its own entry, imported on demand by initBackend.
    { ...noClean, external: ['./register-gradients.js'] },
  ),
  // The Node build carries tfjs-core's gradient definitions (see register-gradients.ts).
  packageBuild(
    { 'register-gradients': 'src/register-gradients.ts' },
    {
      ...noClean,
      noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
      minify: true,
      sourcemap: false,
      // The module only registers; its declaration is an empty module, emitted without bundling.
      dts: { resolve: false },
    },
  ),
  packageBuild(
    { 'register-gradients-browser': 'src/register-gradients-browser.ts' },
    { ...noClean, format: ['esm'], dts: false, sourcemap: false },
  ),
  // The pthread worker file that initBackend('wasm', { threads }) hands to Node (wasm-threads.ts).
  packageBuild(
    { 'wasm-pthread-worker': 'src/wasm-pthread-worker.cjs' },
    { ...noClean, format: ['cjs'], dts: false, sourcemap: false },
  ),
]);
