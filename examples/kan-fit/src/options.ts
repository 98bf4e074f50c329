import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName } from '@lgpt/core';

export interface Options {
  backend: BackendName;
  /** Adam steps on the full training set. */
  steps: number;
  /** Width of the hidden layer: the KAN is [2, width, 1]. */
  width: number;
  /** Grid intervals of every spline. */
  grid: number;
  seed: number;
  /** Where the pictures go: `<out>/kan-fit.svg`, `<out>/kan-fit.png`. */
  outDir: string;
  overwrite: boolean;
}

export const OUTPUT_NAMES = ['kan-fit.svg', 'kan-fit.png'] as const;

const BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];
const DEFAULT_OUT = fileURLToPath(new URL('../out/', import.meta.url));

const USAGE = `Usage: pnpm example kan-fit [options]

Fits f(x, y) = exp(sin(πx) + y²) with a KAN [2, width, 1] and draws every edge's learned
activation φ(x) to <out>/kan-fit.svg and <out>/kan-fit.png.

  --backend <name>   cpu | wasm | webgpu | tensorflow (default wasm)
  --steps <n>        Adam steps (default 3000)
  --width <n>        hidden width (default 5, as in the KAN paper)
  --grid <n>         spline grid intervals (default 5)
  --seed <n>         seed for data and initial weights (default 0)
  --out <dir>        output folder (default examples/kan-fit/out)
  --overwrite        replace pictures already in the output folder
  --help             this text`;

/** Parses the command line; relative paths are taken from where the command was run. */
export function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string', default: 'wasm' },
      steps: { type: 'string', default: '3000' },
      width: { type: 'string', default: '5' },
      grid: { type: 'string', default: '5' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  if (!BACKENDS.includes(values.backend as BackendName)) {
    throw new Error(`--backend must be one of ${BACKENDS.join(', ')}, got '${values.backend}'`);
  }
  // `pnpm example` runs this from the example's folder; INIT_CWD is where the user typed it.
  const callerDir = process.env.INIT_CWD ?? process.cwd();
  return {
    backend: values.backend as BackendName,
    steps: positiveInteger('--steps', values.steps),
    width: positiveInteger('--width', values.width),
    grid: positiveInteger('--grid', values.grid),
    seed: nonNegativeInteger('--seed', values.seed),
    outDir: values.out === undefined ? DEFAULT_OUT : resolve(callerDir, values.out),
    overwrite: values.overwrite,
  };
}

/** Fails before any training if a picture would be replaced without `--overwrite`. */
export function assertOutputsFree(options: Options): void {
  if (options.overwrite) return;
  const taken = OUTPUT_NAMES.map((name) => resolve(options.outDir, name)).filter(existsSync);
  if (taken.length > 0) {
    throw new Error(
      `${taken.join(' and ')} already exist${taken.length === 1 ? 's' : ''}: pass --overwrite to replace, or --out <dir>`,
    );
  }
}

function positiveInteger(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

function nonNegativeInteger(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${flag} must be an integer >= 0, got '${raw}'`);
  return n;
}
