import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName } from '@lgpt/core';

export interface Options {
  backend: BackendName;
  /** A tfjs-layers model folder (`model.json` + weights) to adapt; null: build and train one. */
  modelDir: string | null;
  epochs: number;
  rank: number;
  /** PEFT `target_modules`: Dense layer names, or `'all-linear'` (every Dense but the head). */
  targets: string[] | 'all-linear';
  seed: number;
  outDir: string;
  overwrite: boolean;
}

const BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];
const DEFAULT_OUT = fileURLToPath(new URL('../out/', import.meta.url));

const USAGE = `Usage: pnpm example lora-own-tfjs-model [options]

Adds LoRA to an existing tfjs-layers model with @lgpt/lora/layers, trains only the adapters on a
shifted task, checks the base weights did not move, saves the adapter in PEFT's format and
reloads it onto a fresh copy of the model.

  --backend <name>   cpu | wasm | webgpu | tensorflow (default wasm)
  --model <dir>      your tfjs-layers model folder (model.json + weights); default: build and
                     train a small one and save it to <out>/base-model
  --epochs <n>       LoRA training epochs (default 30)
  --rank <n>         LoRA rank r (default 4; lora_alpha = 2r)
  --targets <names>  comma-separated Dense layer names (default all-linear: every Dense but the head)
  --seed <n>         seed for the data, the base model and the adapters (default 0)
  --out <dir>        output folder (default examples/lora-own-tfjs-model/out)
  --overwrite        replace a saved model or adapter already in the output folder
  --help             this text`;

export function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string', default: 'wasm' },
      model: { type: 'string' },
      epochs: { type: 'string', default: '30' },
      rank: { type: 'string', default: '4' },
      targets: { type: 'string', default: 'all-linear' },
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
  const targets = values.targets
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (targets.length === 0) throw new Error('--targets needs at least one layer name');
  return {
    backend: values.backend as BackendName,
    modelDir: values.model === undefined ? null : resolve(callerDir, values.model),
    epochs: integer('--epochs', values.epochs, 1),
    rank: integer('--rank', values.rank, 1),
    targets: targets.length === 1 && targets[0] === 'all-linear' ? 'all-linear' : targets,
    seed: integer('--seed', values.seed, 0),
    outDir: values.out === undefined ? DEFAULT_OUT : resolve(callerDir, values.out),
    overwrite: values.overwrite,
  };
}

export function baseModelDir(options: Options): string {
  return resolve(options.outDir, 'base-model');
}

export function adapterDir(options: Options): string {
  return resolve(options.outDir, 'lora-adapter');
}

/** Fails before any training if a saved model or adapter would be replaced without `--overwrite`. */
export function assertOutputsFree(options: Options): void {
  if (options.overwrite) return;
  const outputs = [adapterDir(options), ...(options.modelDir ? [] : [baseModelDir(options)])];
  const taken = outputs.filter(existsSync);
  if (taken.length > 0) {
    throw new Error(
      `${taken.join(' and ')} already exist${taken.length === 1 ? 's' : ''}: pass --overwrite to replace, or --out <dir>`,
    );
  }
}

function integer(flag: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${flag} must be an integer >= ${min}, got '${raw}'`);
  return n;
}
