/**
 * `@lgpt/tasks/node`: what reads and writes files — task runs over the CS224N data folders,
 * checkpoints, and the training loop (the pieces the `lgpt` command is made of). The main entry
 * stays importable in browsers.
 */
export { createTask, type TaskSettings } from './tasks/registry.js';
export { SENTIMENT_DATASETS, type SentimentDataset } from './tasks/sentiment.js';
export { saveCheckpoint } from './train/checkpoint.js';
export { openRun, type RunConfig, readRunConfig } from './train/run.js';
export {
  canResume,
  TRAIN_DEFAULTS,
  type TrainOptions,
  type TrainSummary,
  train,
} from './train/trainer.js';
