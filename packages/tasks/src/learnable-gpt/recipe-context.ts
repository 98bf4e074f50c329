import type { Rng } from '@lgpt/core';
import type { GPT2Tokenizer } from '@lgpt/gpt2';
import type { TaskSettings } from '../tasks/registry.js';
import type { TaskRun } from '../tasks/types.js';
import type { SeedFineTuneMode } from './recipe-defaults.js';
import type { SeedTaskModel } from './task-model.js';

/** What each task of the `learnable-gpt` recipe is built from. */
export interface SeedTaskContext {
  tokenizer: GPT2Tokenizer;
  dataDir: string;
  seed: number;
  evalBatchSize: number;
  limit?: number;
  fineTuneMode: SeedFineTuneMode;
  settings: TaskSettings;
  /** Draws the sonnet samples. */
  rng: Rng;
  log: (line: string) => void;
  /** Builds the task's model (`numLabels` only for sentiment: counted from the train file). */
  build(numLabels: number | null): SeedTaskModel;
}

/** A recipe task before its model's checkpoint handling is attached. */
export type SeedTaskRun = Omit<TaskRun, 'loaded' | 'head'> & { head: SeedTaskModel };
