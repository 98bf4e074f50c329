import {
  type Module,
  openSafetensors,
  type SafetensorsFile,
  StateDictError,
  withoutInit,
} from '@lgpt/core';
import type { GPT2Config, GPT2ConfigFields } from '../config.js';
import type { GPT2ModelOptions } from '../model.js';
import { findWeights, readConfig } from './files.js';
import { modelKey, TIED_HEAD_KEY } from './keys.js';

export interface LoadPretrainedOptions extends Omit<GPT2ModelOptions, 'initRng'> {
  /** Changes to the stored config (e.g. `{ embdPdrop: 0 }`), applied before the model is built. */
  configOverrides?: Partial<GPT2ConfigFields>;
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/**
 * Builds a model from `dir/config.json` with zero weights (no random draws), checks every checkpoint key and
 * shape against it (all problems reported at once, before any tensor is read), then reads the
 * tensors one at a time into the model's variables. Peak memory is the model plus one tensor.
 */
export async function loadPretrained<M extends Module & { config: GPT2Config }>(
  dir: string,
  build: (config: GPT2Config, options: GPT2ModelOptions) => M,
  options: LoadPretrainedOptions = {},
): Promise<M> {
  const { configOverrides, ...modelOptions } = options;
  let config = await readConfig(dir);
  if (configOverrides) config = config.with(configOverrides);
  const file = await openSafetensors(await findWeights(dir));
  let model: M | undefined;
  try {
    model = withoutInit(() => build(config, modelOptions));
    const plan = planLoad(model, file);
    for (const [checkpointKey, key] of plan) {
      const tensor = await file.tensor(checkpointKey);
      try {
        model.loadStateDict({ [key]: tensor }, { strict: false });
      } finally {
        tensor.dispose();
      }
    }
    // As Hugging Face's from_pretrained: ready for inference (dropout off); call train() to fine-tune.
    return model.eval();
  } catch (error) {
    model?.dispose();
    throw error;
  } finally {
    await file.close();
  }
}

/** Checkpoint key → model key for every tensor to read; throws listing every mismatch. */
function planLoad(
  model: Module & { config: GPT2Config },
  file: SafetensorsFile,
): Map<string, string> {
  const targets = new Map(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
  const tied = model.config.tieWordEmbeddings && targets.has(TIED_HEAD_KEY);
  const plan = new Map<string, string>();
  const loaded = new Set<string>();
  const unexpected: string[] = [];
  const mismatches: { key: string; expected: number[]; got: number[] }[] = [];
  const problems: string[] = [];
  for (const checkpointKey of file.keys()) {
    const key = modelKey(checkpointKey);
    if (key === null) continue;
    const expected = targets.get(key);
    if (!expected) {
      unexpected.push(checkpointKey);
      continue;
    }
    const { dtype, shape } = file.info(checkpointKey);
    if (!sameShape(expected, shape)) {
      mismatches.push({ key: checkpointKey, expected, got: shape });
      continue;
    }
    if (!FLOAT_DTYPES.has(dtype)) {
      problems.push(`${checkpointKey} has dtype ${dtype}; weights must be F32, F16, BF16 or F64`);
    }
    if (loaded.has(key)) {
      problems.push(
        `${checkpointKey} is stored twice (with and without the 'transformer.' prefix)`,
      );
    }
    loaded.add(key);
    // A tied head is the embedding itself: the stored copy is not read.
    if (!(tied && key === TIED_HEAD_KEY)) plan.set(checkpointKey, key);
  }
  const missing = [...targets.keys()].filter(
    (key) => !loaded.has(key) && !(tied && key === TIED_HEAD_KEY),
  );
  if (missing.length || unexpected.length || mismatches.length) {
    throw new StateDictError(missing, unexpected, mismatches, `checkpoint ${file.source}`);
  }
  if (problems.length) throw new Error(`${file.source}:\n  ${problems.join('\n  ')}`);
  return plan;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
