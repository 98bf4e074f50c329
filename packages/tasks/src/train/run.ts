import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { openLearnableGptRun } from '../learnable-gpt/recipe-run.js';
import { applyFineTuneMode, type FineTuneMode } from '../models/fine-tune.js';
import { loadModel } from '../models/load-model.js';
import type { RecipeName } from '../tasks/recipes.js';
import { createTask, type TaskSettings } from '../tasks/registry.js';
import type { TaskName, TaskRun } from '../tasks/types.js';
import type { VariantName } from '../variants/variant.js';

/** Everything that defines a run's model and task; saved with each checkpoint as `run.json`. */
export interface RunConfig {
  /** lgpt's own recipe when absent (runs saved before recipes existed). */
  recipe?: RecipeName;
  task: TaskName;
  model: string;
  variant: VariantName;
  randomInit: boolean;
  fineTuneMode: FineTuneMode;
  seed: number;
  dataDir: string;
  evalBatchSize: number;
  limit?: number;
  settings: TaskSettings;
}

export const RUN_FILE = 'run.json';
export const MODEL_DIR = 'model';
export const ADAPTER_DIR = 'adapter';
export const HEAD_FILE = 'head.safetensors';

/**
 * Builds a run's task model from its config — or, with `checkpoint`, restores a saved one: its
 * fine-tuned GPT-2 folder and/or PEFT adapter, and its task head. A `learnable-gpt` recipe run
 * builds the original code's model instead (`openLearnableGptRun`).
 */
export async function openRun(
  config: RunConfig,
  options: { checkpoint?: string; log?: (line: string) => void } = {},
): Promise<TaskRun> {
  if (config.recipe === 'learnable-gpt') return openLearnableGptRun(config, options);
  const log = options.log ?? (() => {});
  const saved = options.checkpoint ? savedWeights(options.checkpoint) : {};
  const loaded = await loadModel(
    {
      model: config.model,
      variant: config.variant,
      seed: config.seed,
      randomInit: config.randomInit,
    },
    saved,
  );
  applyFineTuneMode(loaded.lm, config.fineTuneMode, loaded.peft !== null);
  const run = await createTask(
    config.task,
    {
      loaded,
      dataDir: config.dataDir,
      seed: config.seed,
      evalBatchSize: config.evalBatchSize,
      limit: config.limit,
      log,
    },
    config.settings,
  );
  if (options.checkpoint) await loadHeadWeights(run, options.checkpoint);
  return run;
}

/** The run config saved in a checkpoint folder. */
export async function readRunConfig(checkpoint: string): Promise<RunConfig> {
  const path = join(checkpoint, RUN_FILE);
  if (!existsSync(path))
    throw new Error(`${checkpoint} is not an lgpt checkpoint (no ${RUN_FILE})`);
  return JSON.parse(await readFile(path, 'utf8')) as RunConfig;
}

function savedWeights(checkpoint: string) {
  const modelDir = join(checkpoint, MODEL_DIR);
  const adapterDir = join(checkpoint, ADAPTER_DIR);
  return {
    modelDir: existsSync(modelDir) ? modelDir : undefined,
    adapterDir: existsSync(adapterDir) ? adapterDir : undefined,
  };
}

/** The task's own parameters (everything outside GPT-2), by name. */
export function headParameters(run: TaskRun): [string, tf.Variable][] {
  return run.head.namedParameters().filter(([name]) => !name.startsWith('gpt.'));
}

async function loadHeadWeights(run: TaskRun, checkpoint: string): Promise<void> {
  const path = join(checkpoint, HEAD_FILE);
  if (!existsSync(path)) return;
  const tensors = await readSafetensors(path);
  try {
    run.head.loadStateDict(tensors, { strict: false });
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
