import type { Options } from 'tsup';

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
    shims: true,
    ...extra,
  };
}
