import type { Module } from '@lgpt/core';
import type { GPT2Tokenizer } from '@lgpt/gpt2';
import type * as tf from '@tensorflow/tfjs-core';
import type { LoadedModel } from '../models/load-model.js';

export const TASK_NAMES = ['sentiment', 'paraphrase', 'sonnet'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** One training batch: token rows (unpadded), and the class of each row for classifiers. */
export interface TrainBatch {
  rows: number[][];
  labels?: number[];
}

/**
 * The model of a `learnable-gpt` recipe run: the original code's own classes (`head` is the whole
 * model), not lgpt's GPT-2, so it saves its checkpoint weights itself.
 */
export interface SeedRunModel {
  readonly recipe: 'learnable-gpt';
  readonly tokenizer: GPT2Tokenizer;
  /** Where the pretrained weights came from, for logs and run records. */
  readonly source: string;
  readonly pretrained: boolean;
  /** Writes the weights a checkpoint keeps into the folder `dir`. */
  save(dir: string): Promise<void>;
}

/** A task bound to a model and its data: what the trainer and the CLI commands drive. */
export interface TaskRun {
  readonly name: TaskName;
  /** The task model: GPT-2 (as `gpt`) plus the task's own layers; its trainable parameters train. */
  readonly head: Module;
  readonly loaded: LoadedModel | SeedRunModel;
  /** Dev metric that picks the best checkpoint (higher is better). */
  readonly primaryMetric: string;
  readonly trainSize: number;
  /** The epoch's batches, shuffled by (seed, epoch). */
  trainBatches(epoch: number, batchSize: number): TrainBatch[];
  /** Mean loss of a batch (called inside the gradient tape). */
  loss(batch: TrainBatch): tf.Scalar;
  /** Dev metrics (the model must be in eval mode). */
  evaluate(): Promise<Record<string, number>>;
  /** Writes the prediction files of the reference into `dir`; returns their paths. */
  predict(dir: string, overwrite: boolean): Promise<string[]>;
}

/** What every task needs to build a run. */
export interface TaskContext {
  loaded: LoadedModel;
  dataDir: string;
  seed: number;
  /** Batch size for evaluation and prediction. */
  evalBatchSize: number;
  /** Train on at most this many examples, a seeded random subset (quick runs); dev is never cut. */
  limit?: number;
  log: (line: string) => void;
}
