import { checkSeedFineTuneMode } from '../learnable-gpt/fine-tune.js';
import { SEED_TASK_DEFAULTS } from '../learnable-gpt/recipe-defaults.js';
import { type SeedVariant, seedVariant } from '../learnable-gpt/seed-config.js';
import type { TaskName } from '../tasks/types.js';
import type { RecordedTrainOptions, RunConfig } from '../train/run-config.js';
import type { VariantName } from '../variants/variant.js';
import * as opt from './options.js';

/** lgpt's name of a seed variant (run.json records lgpt's names). */
const LGPT_NAME: Record<SeedVariant, VariantName> = {
  base: 'base',
  lora: 'lora',
  kan: 'kan',
  lorakan: 'kan-lora',
  graph: 'graph',
};

/** `--variant` under the learnable-gpt recipe: the original's five (`kan-lora` = `lorakan`). */
export function seedVariantFlag(value: string | undefined): VariantName {
  try {
    return LGPT_NAME[seedVariant(value ?? 'base')];
  } catch (error) {
    throw new opt.UsageError(`--variant: ${(error as Error).message}`);
  }
}

/**
 * What `lgpt train --recipe learnable-gpt` fixes where lgpt's recipe has its own defaults: the
 * original's fine-tune mode per task (sentiment `last-linear-layer`, else `full-model`) and the
 * batch size the sentiment loss divides by. The other run settings read the same flags as lgpt's.
 */
export function seedRunConfig<C extends Omit<RunConfig, 'dataDir' | 'train'>>(
  name: TaskName,
  config: C,
  batchSize: number,
  flags: opt.ParsedFlags,
): C {
  const fineTuneMode = (flags['fine-tune-mode'] as string) ?? SEED_TASK_DEFAULTS[name].fineTuneMode;
  try {
    checkSeedFineTuneMode(name, fineTuneMode);
  } catch (error) {
    throw new opt.UsageError(`--fine-tune-mode: ${(error as Error).message}`);
  }
  return {
    ...config,
    recipe: 'learnable-gpt',
    fineTuneMode,
    settings: { ...config.settings, batchSize },
  };
}

/**
 * The original scripts' training loop where a flag does not set it: 10 epochs, batch 8, the
 * script's learning rate, AdamW weight decay 0, no schedule, no gradient clipping, no accumulation.
 */
export function seedTrainDefaults(name: TaskName): Omit<RecordedTrainOptions, 'patience'> {
  const defaults = SEED_TASK_DEFAULTS[name];
  return {
    epochs: defaults.epochs,
    batchSize: defaults.batchSize,
    lr: defaults.optimizer.lr,
    weightDecay: defaults.optimizer.weightDecay,
    schedule: 'constant',
    warmupSteps: 0,
    clipNorm: null,
    gradAccumulation: 1,
  };
}
