/**
 * `@lgpt/tasks/node`: what reads and writes files — task runs over the CS224N data folders,
 * checkpoints, and the training loop (the pieces the `lgpt` command is made of). The main entry
 * stays importable in browsers.
 */
export { createTask, type TaskSettings } from './tasks/registry.js';
export { SENTIMENT_DATASETS, type SentimentDataset } from './tasks/sentiment.js';
export { type SaveCheckpointOptions, saveCheckpoint } from './train/checkpoint.js';
export { RunFileError } from './train/json-fields.js';
export { OutputFolderError } from './train/output-folder.js';
export { openRun } from './train/run.js';
export {
  type RecordedTrainOptions,
  type RunConfig,
  readRunConfig,
} from './train/run-config.js';
export {
  canResume,
  TRAIN_DEFAULTS,
  type TrainOptions,
  type TrainSummary,
  train,
} from './train/trainer.js';
