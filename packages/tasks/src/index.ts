export {
  type BatchOptions,
  batchCount,
  batches,
  epochRng,
  type SplitOptions,
  shuffled,
  trainDevSplit,
} from './data/batching.js';
export { DataFormatError, type RowProblem } from './data/errors.js';
export type { LoadOptions, LoadResult, MalformedRows } from './data/load-result.js';
export {
  loadParaphraseData,
  loadParaphraseTestData,
  type ParaphraseExample,
  parseParaphraseData,
  parseParaphraseTestData,
  type UnlabelledParaphraseExample,
} from './data/paraphrase.js';
export {
  loadSentimentData,
  loadSentimentTestData,
  parseSentimentData,
  parseSentimentTestData,
  type SentimentExample,
  type UnlabelledSentimentExample,
} from './data/sentiment.js';
export { loadSonnets, sonnetPrompt, splitSonnets } from './data/sonnets.js';
export {
  type AnswerIds,
  answerIds,
  ParaphraseDetector,
  paraphrasePrompt,
} from './heads/paraphrase.js';
export { SentimentClassifier, type SentimentClassifierOptions } from './heads/sentiment.js';
export { type CompletionOptions, SonnetGenerator } from './heads/sonnet.js';
export {
  SEED_FINE_TUNE_MODES,
  SEED_SONNET_SAMPLING,
  SEED_TASK_DEFAULTS,
  type SeedFineTuneMode,
  type SeedOptimizerOptions,
  type SeedTaskDefaults,
} from './learnable-gpt/recipe-defaults.js';
export {
  LearnableGptRun,
  type LearnableGptRunOptions,
  type SeedBatch,
  type SeedSizes,
} from './learnable-gpt/run.js';
export {
  SEED_BODY,
  SEED_DROPOUTS,
  SEED_TASKS,
  SEED_VARIANTS,
  type SeedDropoutOption,
  type SeedDropouts,
  type SeedTask,
  type SeedVariant,
} from './learnable-gpt/seed-config.js';
export {
  type ChrfOptions,
  type ChrfReferences,
  type ChrfScore,
  chrfScoreFromStatistics,
  chrfStatistics,
  corpusChrf,
  sentenceChrf,
} from './metrics/chrf.js';
export { accuracy, macroF1 } from './metrics/classification.js';
export { type SonnetChrfScore, sonnetChrf, sonnetChrfFiles } from './metrics/sonnet-chrf.js';
export {
  applyFineTuneMode,
  defaultFineTuneMode,
  FINE_TUNE_MODES,
  type FineTuneMode,
  trainableSummary,
} from './models/fine-tune.js';
export {
  type LoadedModel,
  loadModel,
  type ModelSpec,
  type SavedWeights,
} from './models/load-model.js';
export { GradientAccumulator } from './optim/accumulate.js';
export { AdamW, type AdamWOptions } from './optim/adamw.js';
export { type ClippedGradients, clipGradNorm } from './optim/clip.js';
export {
  type CosineOptions,
  constantSchedule,
  cosineSchedule,
  type DecayOptions,
  type LrMultiplier,
  LrScheduler,
  linearSchedule,
  SCHEDULE_NAMES,
  type ScheduleName,
  scheduleByName,
  type WarmupOptions,
} from './optim/schedules.js';
export {
  TASK_NAMES,
  type TaskContext,
  type TaskName,
  type TaskRun,
  type TrainBatch,
} from './tasks/types.js';
export {
  EarlyStopping,
  type EarlyStoppingOptions,
  type EarlyStoppingState,
} from './train/early-stopping.js';
export { type JsonObject, type MetricsContent, MetricsFile } from './train/metrics-file.js';
export {
  formatGeneratedSonnets,
  formatPredictions,
  type GeneratedSonnet,
  type Prediction,
  writeGeneratedSonnets,
  writeParaphrasePredictions,
  writeSentimentPredictions,
} from './train/predictions.js';
export type { WriteOptions } from './train/write-file.js';
export { applyLoraVariant } from './variants/apply-lora.js';
export {
  VARIANT_NAMES,
  type VariantName,
  type VariantSwitches,
  variantExtensions,
  variantLoraConfig,
  variantSwitches,
} from './variants/variant.js';
export {
  type VariantConfig,
  variantConfig,
  withVariant,
} from './variants/variant-config.js';
export { createVariantModel, loadVariantModel } from './variants/variant-model.js';
