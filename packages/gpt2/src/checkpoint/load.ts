import {
  type HubOptions,
  type Module,
  openCheckpoint,
  openCheckpointSafetensors,
  type SafetensorsFile,
  StateDictError,
  sameShape,
  splitHubOptions,
  withoutInit,
} from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { BlockExtensions } from '../block.js';
import type { GPT2Config, GPT2ConfigFields } from '../config.js';
import type { GPT2ModelOptions } from '../model.js';
import { findWeights, readConfig } from './files.js';
import { modelKey, TIED_HEAD_KEY } from './keys.js';

export interface LoadPretrainedOptions
  extends Omit<GPT2ModelOptions, 'initRng' | 'extensions'>,
    HubOptions {
  /**
   * Hooks applied to every block (see `GPT2ModelOptions`), or a function choosing them from the
   * stored config (after `configOverrides` / `extraOverrides`), e.g. from an adapter's own keys.
   */
  extensions?: BlockExtensions | ((config: GPT2Config) => BlockExtensions);
  /** Changes to the stored config (e.g. `{ embdPdrop: 0 }`), applied before the model is built. */
  configOverrides?: Partial<GPT2ConfigFields>;
  /** `extra` keys to set on the stored config (an adapter's own settings), before the build. */
  extraOverrides?: Record<string, unknown>;
}

/** What loading did besides filling the model (Hugging Face's `output_loading_info`). */
export interface LoadingInfo {
  /** Model keys the checkpoint could not fill (modules the extensions add), initialised fresh. */
  newlyInitialized: string[];
  /** Checkpoint keys the model had no place for (the MLP a `createMlp` extension replaces). */
  unused: string[];
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/**
 * Builds a model from the checkpoint's `config.json` (a folder, a URL or a Hub id: see
 * `openCheckpoint`) with zero weights (no random draws), checks every
 * checkpoint key and shape against it (all problems reported at once, before any tensor is read),
 * then reads the tensors one at a time into the model's variables. Peak memory is the model plus
 * one tensor. Modules the `extensions` add (a replaced MLP, extra sub-layers) that the checkpoint
 * does not fill are initialised fresh; the checkpoint's weights of a replaced MLP are left unused.
 */
export async function loadPretrained<M extends Module & { config: GPT2Config }>(
  nameOrPath: string,
  build: (config: GPT2Config, options: GPT2ModelOptions) => M,
  options: LoadPretrainedOptions = {},
): Promise<{ model: M; loadingInfo: LoadingInfo }> {
  const [hubOptions, { configOverrides, extraOverrides, extensions: chooseExtensions, ...rest }] =
    splitHubOptions(options);
  const files = await openCheckpoint(nameOrPath, hubOptions);
  let config = await readConfig(files);
  if (configOverrides || extraOverrides)
    config = config.with(configOverrides ?? {}, extraOverrides);
  const extensions =
    typeof chooseExtensions === 'function' ? chooseExtensions(config) : (chooseExtensions ?? {});
  const modelOptions: GPT2ModelOptions = { ...rest, extensions };
  const file = await openCheckpointSafetensors(files, await findWeights(files));
  let model: M | undefined;
  try {
    checkEmbeddingShapes(config, file);
    model = withoutInit(() => build(config, modelOptions));
    const { plan, loadingInfo } = planLoad(model, file, extensions);
    const variables = new Map(model.namedParameters());
    for (const [checkpointKey, key] of plan) {
      releasePlaceholder(variables.get(key));
      const tensor = await file.tensor(checkpointKey);
      try {
        model.loadStateDict({ [key]: tensor }, { strict: false });
      } finally {
        tensor.dispose();
      }
    }
    initializeNewModules(model, extensions, loadingInfo.newlyInitialized);
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
 * Frees the zeros a parameter was built with before its checkpoint tensor is read, so the new
 * tensor reuses that memory rather than adding to it: wasm's heap never shrinks, and without this
 * a load peaked at the weights plus their zeros (1.79× the weights for GPT-2 small, measured by
 * bench/cases/load-url.mjs). The variable keeps its identity (tied weights, optimizers hold it);
 * its `assign` right after finds nothing left to free and takes the loaded data.
 */
function releasePlaceholder(variable: tf.Variable | undefined): void {
  if (variable) tf.engine().disposeTensor(variable);
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
 * Replaces the zero-built modules the extensions add with freshly initialised ones, where the
 * checkpoint did not fill them (a checkpoint saved from such a model carries them: they stay loaded).
 */
function initializeNewModules(
  model: Module & { config: GPT2Config },
  extensions: BlockExtensions,
  newlyInitialized: string[],
): void {
  if (!newlyInitialized.length) return;
  const { config } = model;
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

/** A block's own sub-layers; any other is an extra one that an extension added. */
const BLOCK_PARTS = new Set(['ln_1', 'attn', 'ln_2', 'mlp']);
const BLOCK_KEY = /^(?:transformer\.)?h\.\d+\.([^.]+)\./;

/**
 * Which keys the extensions account for: model keys of the modules they add (a replaced MLP,
 * extra sub-layers), which the checkpoint may lack, and checkpoint keys of the MLP they replace.
 */
function extensionKeys(extensions: BlockExtensions) {
  const part = (key: string) => BLOCK_KEY.exec(key)?.[1];
  const mlpReplaced = extensions.createMlp !== undefined;
  return {
    isNew: (key: string) => {
      const name = part(key);
      return name !== undefined && (!BLOCK_PARTS.has(name) || (mlpReplaced && name === 'mlp'));
    },
    isReplaced: (checkpointKey: string) => mlpReplaced && part(checkpointKey) === 'mlp',
  };
}

/**
 * Checkpoint key → model key for every tensor to read, and what loading leaves out; throws
 * listing every mismatch. Keys of the modules the extensions add may be missing, and the
 * checkpoint keys of an MLP they replace are left unused; anything else must match exactly.
 */
function planLoad(
  model: Module & { config: GPT2Config },
  file: SafetensorsFile,
  extensions: BlockExtensions,
): { plan: Map<string, string>; loadingInfo: LoadingInfo } {
  const targets = new Map(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
  const tied = model.config.tieWordEmbeddings && targets.has(TIED_HEAD_KEY);
  const { isNew, isReplaced } = extensionKeys(extensions);
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
      (isReplaced(checkpointKey) ? unused : unexpected).push(checkpointKey);
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
  const newlyInitialized = notLoaded.filter(isNew);
  const missing = notLoaded.filter((key) => !isNew(key));
  if (missing.length || unexpected.length || mismatches.length) {
    throw new StateDictError(missing, unexpected, mismatches, `checkpoint ${file.source}`);
  }
  if (problems.length) throw new Error(`${file.source}:\n  ${problems.join('\n  ')}`);
  return { plan, loadingInfo: { newlyInitialized, unused } };
}
