import type { SeedTask } from './seed-config.js';

/** The seed's `--fine-tune-mode` values (`classifier.py:382`). */
export const SEED_FINE_TUNE_MODES = ['last-linear-layer', 'full-model'] as const;
export type SeedFineTuneMode = (typeof SEED_FINE_TUNE_MODES)[number];

/** The optimizer settings of the seed's `optimizer.AdamW` as its scripts call it. */
export interface SeedOptimizerOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

/** What a seed script trains with when run without arguments. */
export interface SeedTaskDefaults {
  epochs: number;
  batchSize: number;
  optimizer: SeedOptimizerOptions;
  fineTuneMode: SeedFineTuneMode;
  /** The `--seed` default (11711 in all three scripts). */
  seed: number;
}

/** AdamW's defaults in `optimizer.py:13` (eps 1e-6, not PyTorch's 1e-8); weight decay 0 everywhere. */
const ADAMW = { betas: [0.9, 0.999] as [number, number], eps: 1e-6, weightDecay: 0 };

/**
 * The scripts' argparse defaults (`classifier.py:378-392`, `paraphrase_detection.py:221-234`,
 * `sonnet_generation.py:241-259`). No schedule and no gradient clipping in any of them.
 */
export const SEED_TASK_DEFAULTS: Record<SeedTask, SeedTaskDefaults> = {
  sentiment: {
    epochs: 10,
    batchSize: 8,
    optimizer: { lr: 1e-3, ...ADAMW },
    fineTuneMode: 'last-linear-layer',
    seed: 11711,
  },
  paraphrase: {
    epochs: 10,
    batchSize: 8,
    optimizer: { lr: 1e-5, ...ADAMW },
    fineTuneMode: 'full-model',
    seed: 11711,
  },
  sonnet: {
    epochs: 10,
    batchSize: 8,
    optimizer: { lr: 1e-5, ...ADAMW },
    fineTuneMode: 'full-model',
    seed: 11711,
  },
};

/** Sampling defaults of `sonnet_generation.py:246-247` and `generate`'s `max_length` (`:85`). */
export const SEED_SONNET_SAMPLING = { temperature: 1.2, topP: 0.9, maxNewTokens: 128 } as const;

/**
 * Which epoch's model a script keeps for its predictions: the best dev accuracy for sentiment
 * (`classifier.py:333`) and paraphrase (`paraphrase_detection.py:169`), the last epoch for sonnets
 * (`sonnet_generation.py:202`, `generate_submission_sonnets` loads `{epochs-1}_…`).
 */
export const SEED_KEPT_EPOCH: Record<SeedTask, 'best' | 'last'> = {
  sentiment: 'best',
  paraphrase: 'best',
  sonnet: 'last',
};
