import { checkSeedFineTuneMode } from '../learnable-gpt/fine-tune.js';
import { SEED_TASK_DEFAULTS } from '../learnable-gpt/recipe-defaults.js';
import { type SeedVariant, seedVariant } from '../learnable-gpt/seed-config.js';
import type { TaskName } from '../tasks/types.js';
import type { RunConfig } from '../train/run.js';
import type { TrainOptions } from '../train/trainer.js';
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
 * sentiment loss's batch size. The other run settings read the same flags as lgpt's recipe.
 */
export function seedRunConfig(
  name: TaskName,
  lgptConfig: RunConfig,
  flags: opt.ParsedFlags,
): RunConfig {
  const fineTuneMode = (flags['fine-tune-mode'] as string) ?? SEED_TASK_DEFAULTS[name].fineTuneMode;
  try {
    checkSeedFineTuneMode(name, fineTuneMode);
  } catch (error) {
    throw new opt.UsageError(`--fine-tune-mode: ${(error as Error).message}`);
  }
  return {
    ...lgptConfig,
    recipe: 'learnable-gpt',
    fineTuneMode,
    settings: {
      ...lgptConfig.settings,
      batchSize: opt.numberFlag(
        'batch-size',
        flags['batch-size'],
        SEED_TASK_DEFAULTS[name].batchSize,
        {
          integer: true,
          min: 1,
        },
      ),
    },
  };
}

/**
 * The original scripts' training loop settings where a flag does not set them: 10 epochs, batch
 * 8, the script's learning rate, AdamW weight decay 0, no schedule, no gradient clipping, no
 * accumulation.
 */
export function seedTrainDefaults(name: TaskName): Partial<TrainOptions> {
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
