import { fileURLToPath } from 'node:url';
import type { Options } from 'tsup';

const CJS_SHIMS = fileURLToPath(new URL('./tsup.cjs-shims.ts', import.meta.url));

/**
 * The build every @lgpt package shares: ESM + CJS + .d.ts/.d.cts side by side in dist/, so the
 * `exports` map can list `types` first for both `import` and `require`.
 */
export function packageBuild(entry: Record<string, string>, extra: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    // Published: esbuild embeds the sources in each map (`sourcesContent`), so stack traces and
    // debuggers show the TypeScript although src/ is not in the tarball (`pnpm release:check`
    // fails a map that does not).
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    splitting: false,
    // Not tsup's `shims`: its ESM shim imports `path` and `url` into every ESM file, which a
    // browser bundler cannot resolve. CommonJS files get `import.meta.url` and nothing else.
    shims: false,
    esbuildOptions(options, { format }) {
      if (format !== 'cjs') return;
      options.define = { ...options.define, 'import.meta.url': 'importMetaUrl' };
      options.inject = [...(options.inject ?? []), CJS_SHIMS];
    },
    ...extra,
  };
}
