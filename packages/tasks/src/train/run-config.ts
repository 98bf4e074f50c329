import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FINE_TUNE_MODES, type FineTuneMode } from '../models/fine-tune.js';
import { SCHEDULE_NAMES, type ScheduleName } from '../optim/schedules.js';
import { RECIPE_NAMES, type RecipeName } from '../tasks/recipes.js';
import type { TaskSettings } from '../tasks/registry.js';
import { SENTIMENT_DATASETS } from '../tasks/sentiment.js';
import { TASK_NAMES, type TaskName } from '../tasks/types.js';
import { VARIANT_NAMES, type VariantName } from '../variants/variant.js';
import { JsonFields, RunFileError, readJsonRecord } from './json-fields.js';

/**
 * The training options a run started with, fully resolved (no defaults left to apply), as `train`
 * records them in `run.json`: `--resume` continues with exactly these.
 */
export interface RecordedTrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  schedule: ScheduleName;
  warmupSteps: number;
  /** null: no clipping. */
  clipNorm: number | null;
  gradAccumulation: number;
  /** null: never stop early. */
  patience: number | null;
}

/** Everything that defines a run's model and task; saved with each checkpoint as `run.json`. */
export interface RunConfig {
  /** lgpt's own recipe when absent (and in runs saved before recipes existed). */
  recipe?: RecipeName;
  task: TaskName;
  model: string;
  /** A PEFT adapter (folder, URL or Hub id) loaded onto `model`. */
  adapter?: string;
  variant: VariantName;
  randomInit: boolean;
  fineTuneMode: FineTuneMode;
  seed: number;
  dataDir: string;
  evalBatchSize: number;
  limit?: number;
  settings: TaskSettings;
  /** Whether the base weights came from a checkpoint (not random): what the default lr was chosen by. */
  pretrained?: boolean;
  /** The training options, recorded by `train` (absent from runs that have not started training). */
  train?: RecordedTrainOptions;
}

export const RUN_FILE = 'run.json';

/** A seed the generators take in full (`Rng` reads it as an unsigned 32-bit integer). */
export const SEED_RANGE = { integer: true, min: 0, max: 0xffffffff };

/** The run config saved in a checkpoint folder, every field checked. */
export async function readRunConfig(checkpoint: string): Promise<RunConfig> {
  const path = join(checkpoint, RUN_FILE);
  if (!existsSync(path)) {
    throw new RunFileError(`${checkpoint} is not an lgpt checkpoint (no ${RUN_FILE})`);
  }
  return parseRunConfig(new JsonFields(path, await readJsonRecord(path)));
}

function parseRunConfig(f: JsonFields): RunConfig {
  const positive = { integer: true, min: 1 };
  return {
    recipe: f.optional('recipe', (k) => f.oneOf(k, RECIPE_NAMES)),
    task: f.oneOf('task', TASK_NAMES),
    model: f.string('model'),
    adapter: f.optional('adapter', (k) => f.string(k)),
    variant: f.oneOf('variant', VARIANT_NAMES),
    randomInit: f.boolean('randomInit'),
    fineTuneMode: f.oneOf('fineTuneMode', FINE_TUNE_MODES),
    seed: f.number('seed', SEED_RANGE),
    dataDir: f.string('dataDir'),
    evalBatchSize: f.number('evalBatchSize', positive),
    limit: f.optional('limit', (k) => f.number(k, positive)),
    settings: parseSettings(f.object('settings')),
    pretrained: f.optional('pretrained', (k) => f.boolean(k)),
    train: f.optional('train', (k) => parseTrainOptions(f.object(k))),
  };
}

function parseSettings(f: JsonFields): TaskSettings {
  return {
    dataset: f.optional('dataset', (k) => f.oneOf(k, SENTIMENT_DATASETS)),
    dropoutProb: f.optional('dropoutProb', (k) => f.number(k, { min: 0, below: 1 })),
    devFraction: f.optional('devFraction', (k) => f.number(k, { above: 0, below: 1 })),
    temperature: f.optional('temperature', (k) => f.number(k, { above: 0 })),
    topP: f.optional('topP', (k) => f.number(k, { above: 0, max: 1 })),
    maxNewTokens: f.optional('maxNewTokens', (k) => f.number(k, { integer: true, min: 1 })),
    batchSize: f.optional('batchSize', (k) => f.number(k, { integer: true, min: 1 })),
  };
}

function parseTrainOptions(f: JsonFields): RecordedTrainOptions {
  const positive = { integer: true, min: 1 };
  return {
    epochs: f.number('epochs', positive),
    batchSize: f.number('batchSize', positive),
    lr: f.number('lr', { min: 0 }),
    weightDecay: f.number('weightDecay', { min: 0 }),
    schedule: f.oneOf('schedule', SCHEDULE_NAMES),
    warmupSteps: f.number('warmupSteps', { integer: true, min: 0 }),
    clipNorm: f.nullable('clipNorm', (k) => f.number(k, { above: 0 })),
    gradAccumulation: f.number('gradAccumulation', positive),
    patience: f.nullable('patience', (k) => f.number(k, positive)),
  };
}
