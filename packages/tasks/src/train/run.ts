import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DownloadProgress, readSafetensors } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { openLearnableGptRun } from '../learnable-gpt/recipe-run.js';
import { applyFineTuneMode } from '../models/fine-tune.js';
import { loadModel } from '../models/load-model.js';
import { createTask } from '../tasks/registry.js';
import type { TaskRun } from '../tasks/types.js';
import type { RunConfig } from './run-config.js';

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
  options: {
    checkpoint?: string;
    log?: (line: string) => void;
    onProgress?: (progress: DownloadProgress) => void;
  } = {},
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
      adapter: config.adapter,
    },
    saved,
    { onProgress: options.onProgress },
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
