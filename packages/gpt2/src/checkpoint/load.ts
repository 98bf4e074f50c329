import {
  type Module,
  openSafetensors,
  type SafetensorsFile,
  StateDictError,
  withoutInit,
} from '@lgpt/core';
import type { GPT2Config, GPT2ConfigFields } from '../config.js';
import type { GPT2ModelOptions } from '../model.js';
import { newModuleKeys, unusedCheckpointKeys, variantExtensions } from '../variants/variant.js';
import { findWeights, readConfig } from './files.js';
import { modelKey, TIED_HEAD_KEY } from './keys.js';

export interface LoadPretrainedOptions extends Omit<GPT2ModelOptions, 'initRng'> {
  /**
   * Changes to the stored config (e.g. `{ embdPdrop: 0 }`, or a variant's switches
   * `{ useKan: true }`), applied before the model is built.
   */
  configOverrides?: Partial<GPT2ConfigFields>;
}

/** What loading did besides filling the model (Hugging Face's `output_loading_info`). */
export interface LoadingInfo {
  /** Model keys the checkpoint could not fill (a variant's new modules), initialised fresh. */
  newlyInitialized: string[];
  /** Checkpoint keys the model had no place for (the MLP a KAN replaces). */
  unused: string[];
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/**
 * Builds a model from `dir/config.json` with zero weights (no random draws), checks every
 * checkpoint key and shape against it (all problems reported at once, before any tensor is read),
 * then reads the tensors one at a time into the model's variables. Peak memory is the model plus
 * one tensor. Modules a variant adds (KAN MLP, graph attention) are initialised fresh.
 */
export async function loadPretrained<M extends Module & { config: GPT2Config }>(
  dir: string,
  build: (config: GPT2Config, options: GPT2ModelOptions) => M,
  options: LoadPretrainedOptions = {},
): Promise<{ model: M; loadingInfo: LoadingInfo }> {
  const { configOverrides, ...modelOptions } = options;
  let config = await readConfig(dir);
  if (configOverrides) config = config.with(configOverrides);
  const file = await openSafetensors(await findWeights(dir));
  let model: M | undefined;
  try {
    checkEmbeddingShapes(config, file);
    model = withoutInit(() => build(config, modelOptions));
    const { plan, loadingInfo } = planLoad(model, file);
    for (const [checkpointKey, key] of plan) {
      const tensor = await file.tensor(checkpointKey);
      try {
        model.loadStateDict({ [key]: tensor }, { strict: false });
      } finally {
        tensor.dispose();
      }
    }
    if (!options.extensions) initializeVariantModules(model, loadingInfo.newlyInitialized);
    // As Hugging Face's from_pretrained: ready for inference (dropout off); call train() to fine-tune.
    return { model: model.eval(), loadingInfo };
  } catch (error) {
    model?.dispose();
    throw error;
  } finally {
    await file.close();
  }
}

/**
 * The embeddings' shapes follow from `vocab_size`, `n_positions` and `n_embd` alone: checked against
 * the checkpoint header before the model is built, so a config that does not fit the weights is
 * reported without first allocating its tables (a large `n_positions` asks for an n_positions²
 * causal mask: ~1 GB at 16k).
 */
function checkEmbeddingShapes(config: GPT2Config, file: SafetensorsFile): void {
  const expected: Record<string, [number[], string]> = {
    'transformer.wte.weight': [[config.vocabSize, config.nEmbd], 'vocab_size, n_embd'],
    'transformer.wpe.weight': [[config.nPositions, config.nEmbd], 'n_positions, n_embd'],
  };
  const problems: string[] = [];
  for (const checkpointKey of file.keys()) {
    const key = modelKey(checkpointKey);
    if (key === null || !Object.hasOwn(expected, key)) continue;
    const [shape, keys] = expected[key];
    const stored = file.info(checkpointKey).shape;
    if (!sameShape(shape, stored)) {
      problems.push(
        `${checkpointKey} is [${stored.join(', ')}] but config.json (${keys}) makes it [${shape.join(', ')}]`,
      );
    }
  }
  if (problems.length) {
    throw new Error(`${file.source} does not fit its config:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Replaces the zero-built modules a variant adds with freshly initialised ones, where the checkpoint
 * did not fill them (a checkpoint saved from a variant model carries them and they stay loaded).
 */
function initializeVariantModules(
  model: Module & { config: GPT2Config },
  newlyInitialized: string[],
): void {
  const { config } = model;
  const extensions = variantExtensions(config);
  const unfilled = (path: string) => newlyInitialized.some((key) => key.startsWith(`${path}.`));
  const replace = (path: string, fresh: Module) => {
    if (unfilled(path)) model.setSubmodule(path, fresh).dispose();
    else fresh.dispose();
  };
  for (let i = 0; i < config.nLayer; i++) {
    if (extensions.createMlp)
      replace(`transformer.h.${i}.mlp`, extensions.createMlp(config, i, {}));
    for (const [name, layer] of extensions.createExtraLayers?.(config, i, {}) ?? []) {
      replace(`transformer.h.${i}.${name}`, layer);
    }
  }
}

/**
 * Checkpoint key → model key for every tensor to read, and what loading leaves out; throws
 * listing every mismatch. Keys of a variant's new modules may be missing, and the checkpoint keys
 * a variant replaces (a KAN's MLP) are left unused; anything else must match exactly.
 */
function planLoad(
  model: Module & { config: GPT2Config },
  file: SafetensorsFile,
): { plan: Map<string, string>; loadingInfo: LoadingInfo } {
  const targets = new Map(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
  const tied = model.config.tieWordEmbeddings && targets.has(TIED_HEAD_KEY);
  const newKeys = newModuleKeys(model.config);
  const replacedKeys = unusedCheckpointKeys(model.config);
  const plan = new Map<string, string>();
  const loaded = new Set<string>();
  const unexpected: string[] = [];
  const unused: string[] = [];
  const mismatches: { key: string; expected: number[]; got: number[] }[] = [];
  const problems: string[] = [];
  for (const checkpointKey of file.keys()) {
    const key = modelKey(checkpointKey);
    if (key === null) continue;
    const expected = targets.get(key);
    if (!expected) {
      (replacedKeys?.test(checkpointKey) ? unused : unexpected).push(checkpointKey);
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
  const notLoaded = [...targets.keys()].filter(
    (key) => !loaded.has(key) && !(tied && key === TIED_HEAD_KEY),
  );
  const newlyInitialized = notLoaded.filter((key) => newKeys?.test(key));
  const missing = notLoaded.filter((key) => !newKeys?.test(key));
  if (missing.length || unexpected.length || mismatches.length) {
    throw new StateDictError(missing, unexpected, mismatches, `checkpoint ${file.source}`);
  }
  if (problems.length) throw new Error(`${file.source}:\n  ${problems.join('\n  ')}`);
  return { plan, loadingInfo: { newlyInitialized, unused } };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
