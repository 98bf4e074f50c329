import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const NAME = 'node-builtin-stub:';
/** `\0` marks a virtual module, so no other plugin tries to load it from disk. */
const PREFIX = `\0${NAME}`;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const BUILTINS = new Set(builtinModules);

/**
 * The lgpt packages read and write files with Node's `fs` / `path` (checkpoints, data files), some
 * through static imports. A page never calls those functions, but it still loads the modules, and
 * Vite's own browser stub exports no names: a named import fails the build (`"join" is not
 * exported by "__vite-browser-external"`) and, in the dev server, the whole page. This plugin
 * answers every Node built-in with a module that has the real one's export names, each a function
 * that throws if it is ever called.
 *
 * The packages import some built-ins both statically and dynamically; Rollup's note that such a
 * dynamic import cannot get a chunk of its own is dropped for these stubs (they are a few lines).
 */
export function nodeBuiltinsStub(): Plugin {
  return {
    name: 'lgpt:node-builtins-stub',
    enforce: 'pre',
    resolveId: (source) => stubId(source),
    load: (id) => (id.startsWith(PREFIX) ? stubModule(id.slice(PREFIX.length)) : null),
    config: () => ({
      build: {
        rollupOptions: {
          onwarn(warning, warn) {
            const aboutStub = warning.message.includes(NAME);
            if (!(aboutStub && warning.message.includes('dynamically imported'))) warn(warning);
          },
        },
      },
    }),
  };
}

/** The stub's module id for a Node built-in (`fs`, `node:fs/promises`, …), else null. */
export function stubId(source: string): string | null {
  const name = source.replace(/^node:/, '');
  return BUILTINS.has(name) ? PREFIX + name : null;
}

/** Source of the stand-in for built-in `name`: the same export names, each throwing when called. */
export async function stubModule(name: string): Promise<string> {
  const names = Object.keys(await import(/* @vite-ignore */ `node:${name}`)).filter(
    (key) => key !== 'default' && IDENTIFIER.test(key),
  );
  return [
    'const unavailable = (name) => () => {',
    `  throw new Error(\`node:${name} \${name}() is not available in the browser\`);`,
    '};',
    ...names.map((key) => `export const ${key} = unavailable(${JSON.stringify(key)});`),
    `export default { ${names.join(', ')} };`,
  ].join('\n');
}
