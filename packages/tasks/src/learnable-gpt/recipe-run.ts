import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getDefaultRng, type Rng, readSafetensors, writeSafetensors } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { type LoadedModel, loadModel } from '../models/load-model.js';
import type { TaskRun } from '../tasks/types.js';
import type { RunConfig } from '../train/run-config.js';
import { buildSeedTaskModel } from './build-model.js';
import { applySeedFineTuneMode, checkSeedFineTuneMode } from './fine-tune.js';
import { copyPretrainedWeights } from './pretrained-weights.js';
import type { SeedTaskContext, SeedTaskRun } from './recipe-context.js';
import { createSeedParaphraseTask } from './recipe-paraphrase.js';
import { createSeedSentimentTask } from './recipe-sentiment.js';
import { createSeedSonnetTask } from './recipe-sonnet.js';
import {
  SEED_DROPOUTS,
  type SeedDropouts,
  type SeedTask,
  type SeedVariant,
  seedModelConfig,
  seedTask,
  seedVariant,
} from './seed-config.js';
import { initSeedWeights } from './seed-init.js';
import type { SeedTaskModel } from './task-model.js';

/** A recipe checkpoint's weights: the seed's state-dict names, as the original saves them. */
export const SEED_WEIGHTS_FILE = 'seed.safetensors';

const CREATE = {
  sentiment: createSeedSentimentTask,
  paraphrase: createSeedParaphraseTask,
  sonnet: createSeedSonnetTask,
};

/**
 * Builds a `learnable-gpt` recipe run: the checkpoint's GPT-2 (`config.model`) mapped into the
 * original's model class for the task and variant, its fine-tune mode, and — with `checkpoint` —
 * the weights a previous run saved. Checkpoints hold every parameter and buffer except the
 * pretrained weights that stayed frozen (those come from `config.model` again).
 */
export async function openLearnableGptRun(
  config: RunConfig,
  options: { checkpoint?: string; log?: (line: string) => void } = {},
): Promise<TaskRun> {
  const log = options.log ?? (() => {});
  const task = seedTask(config.task);
  const variant = seedVariant(config.variant);
  checkSeedFineTuneMode(task, config.fineTuneMode);
  const fineTuneMode = config.fineTuneMode;
  // The original builds its model from GPT-2's weights; lgpt's loader finds and reads them.
  const base = await loadModel({
    model: config.model,
    variant: 'base',
    seed: config.seed,
    randomInit: config.randomInit,
  });
  const dropouts = { ...SEED_DROPOUTS, head: config.settings.dropoutProb ?? SEED_DROPOUTS.head };
  // loadModel seeded the default generator: the new modules and dropout draw from it next.
  const rng = getDefaultRng();
  // The task builds the model once it has read its data (sentiment counts its labels first).
  const holder: { built?: ReturnType<typeof seedModelOnBase> } = {};
  const context: SeedTaskContext = {
    tokenizer: base.tokenizer,
    dataDir: config.dataDir,
    seed: config.seed,
    evalBatchSize: config.evalBatchSize,
    limit: config.limit,
    fineTuneMode,
    settings: config.settings,
    rng,
    log,
    build(numLabels) {
      holder.built = seedModelOnBase(task, variant, base, { numLabels, dropouts, rng });
      applySeedFineTuneMode(holder.built.model, fineTuneMode);
      return holder.built.model;
    },
  };
  let run: SeedTaskRun;
  try {
    run = await CREATE[task](context);
  } catch (error) {
    if (holder.built) holder.built.model.dispose();
    else base.lm.dispose();
    throw error;
  }
  if (!holder.built) throw new Error(`the learnable-gpt ${task} task built no model`);
  const { model, pretrainedKeys } = holder.built;
  if (options.checkpoint) await loadSeedWeights(model, options.checkpoint);
  return {
    ...run,
    loaded: {
      recipe: 'learnable-gpt',
      tokenizer: base.tokenizer,
      source: base.source,
      pretrained: base.pretrained,
      save: (dir) => saveSeedWeights(model, pretrainedKeys, dir),
    },
  };
}

/**
 * The original's model for a task and variant on lgpt's loaded GPT-2 (`models/gpt2.py:
 * from_pretrained`): built and initialised as the seed does, the pretrained weights copied in, the
 * lgpt model disposed. Returns the model and the names of the weights that came from `base`.
 */
export function seedModelOnBase(
  task: SeedTask,
  variant: SeedVariant,
  base: LoadedModel,
  options: { numLabels: number | null; dropouts: SeedDropouts; rng: Rng },
): { model: SeedTaskModel; pretrainedKeys: Set<string> } {
  const config = seedModelConfig(base.lm.config, variant, options.dropouts);
  const model = buildSeedTaskModel(task, config, options.numLabels, options.rng);
  initSeedWeights(model.gpt, options.rng);
  const pretrainedKeys = new Set(copyPretrainedWeights(model.gpt, base.lm));
  base.lm.dispose();
  return { model, pretrainedKeys };
}

/** Writes every parameter and buffer except frozen pretrained weights to `seed.safetensors`. */
async function saveSeedWeights(
  model: SeedTaskModel,
  pretrainedKeys: Set<string>,
  dir: string,
): Promise<void> {
  const trainable = new Set(model.namedParameters({ trainableOnly: true }).map(([n]) => n));
  const kept = Object.entries(model.stateDict()).filter(
    ([name]) => !pretrainedKeys.has(name) || trainable.has(name),
  );
  await writeSafetensors(join(dir, SEED_WEIGHTS_FILE), Object.fromEntries(kept));
}

async function loadSeedWeights(model: SeedTaskModel, checkpoint: string): Promise<void> {
  const path = join(checkpoint, SEED_WEIGHTS_FILE);
  if (!existsSync(path)) {
    throw new Error(`${checkpoint}: a learnable-gpt checkpoint needs ${SEED_WEIGHTS_FILE}`);
  }
  const tensors = await readSafetensors(path);
  try {
    const { unexpectedKeys } = model.loadStateDict(tensors, { strict: false });
    if (unexpectedKeys.length) {
      throw new Error(
        `${path}: keys the ${model.task} model does not have: ${unexpectedKeys.join(', ')}`,
      );
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
