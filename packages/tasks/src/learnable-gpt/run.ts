import { getDefaultRng, type Rng, withoutInit } from '@lgpt/core';
import type { GPT2Config } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../optim/adamw.js';
import { buildSeedTaskModel } from './build-model.js';
import { applySeedFineTuneMode, checkSeedFineTuneMode } from './fine-tune.js';
import {
  SEED_TASK_DEFAULTS,
  type SeedFineTuneMode,
  type SeedOptimizerOptions,
} from './recipe-defaults.js';
import {
  type SeedDropoutOption,
  type SeedTask,
  type SeedVariant,
  seedDropouts,
  seedModelConfig,
  seedTask,
  seedVariant,
} from './seed-config.js';
import { seedStateDictSizes } from './state-dict-sizes.js';
import type { SeedTaskModel } from './task-model.js';

/** The sizes of a Hugging Face GPT-2 config that the seed reads. */
export type SeedSizes = Pick<GPT2Config, 'vocabSize' | 'nPositions' | 'nEmbd' | 'nLayer' | 'nHead'>;

export interface LearnableGptRunOptions {
  /**
   * The checkpoint's config; only vocabulary size, positions, width, layers and heads are read.
   * Default: the sizes the state dict shows, which gives the head count only for the graph variant.
   */
  config?: SeedSizes;
  /** The seed's `--fine-tune-mode` (default the script's: last-linear-layer for sentiment). */
  fineTuneMode?: SeedFineTuneMode;
  /** `'original'` (default): the seed's dropouts; a number: that probability for every dropout. */
  dropout?: SeedDropoutOption;
  /** AdamW settings; each one defaults to the script's (`lr` per task, eps 1e-6, no decay). */
  optimizer?: Partial<SeedOptimizerOptions>;
  /**
   * The script's `args.batch_size`, which the sentiment loss divides by (not by the batch's rows:
   * a short last batch weighs less). Default: the rows of each batch.
   */
  batchSize?: number;
  /** Draws the dropout masks (default: the default generator). */
  rng?: Rng;
}

type IntInput = tf.Tensor | number[] | number[][];

/** A batch as the seed's collate functions give it. */
export interface SeedBatch {
  /** `[B, T]` token ids, right-padded. */
  inputIds: IntInput;
  /** `[B, T]`, 1 = token, 0 = padding. */
  attentionMask: IntInput;
  /**
   * Sentiment `[B]` class ids; paraphrase `[B, 1]` GPT-2 token ids 8505 ("yes") / 3919 ("no");
   * sonnet `[B, T − 1]` = `inputIds[:, 1:]`. Not needed by `evalLogits`.
   */
  labels?: IntInput;
}

function intTensor(value: IntInput): tf.Tensor {
  return value instanceof tf.Tensor
    ? tf.cast(value, 'int32')
    : tf.tensor(value, undefined, 'int32');
}

/**
 * One of Learnable-GPT's training runs, step for step as the seed's scripts run it: the model
 * class, its trainable set, its loss and the seed's AdamW. Build it from an original checkpoint's
 * state dict with `fromSeedStateDict`.
 */
export class LearnableGptRun {
  private constructor(
    readonly task: SeedTask,
    readonly variant: SeedVariant,
    readonly model: SeedTaskModel,
    readonly optimizer: AdamW,
    private readonly batchSize: number | null,
  ) {}

  /**
   * Builds the seed's model for `task` × `variant` (lgpt's `kan-lora` spelling accepted) and loads
   * an original state dict: every key of the seed's `model.state_dict()`, buffers included.
   * Shapes, missing and unexpected keys are all reported together.
   */
  static fromSeedStateDict(
    task: SeedTask,
    variant: SeedVariant | 'kan-lora',
    stateDict: Record<string, tf.Tensor>,
    options: LearnableGptRunOptions = {},
  ): LearnableGptRun {
    const resolvedTask = seedTask(task);
    const resolvedVariant = seedVariant(variant);
    checkRunOptions(resolvedTask, options);
    const sizes = seedStateDictSizes(resolvedTask, stateDict);
    const nHead = options.config?.nHead ?? sizes.nHead;
    if (nHead === null) {
      throw new Error(
        'LearnableGptRun.fromSeedStateDict: options.config is needed (the number of heads is not in the state dict of a non-graph model)',
      );
    }
    const config = seedModelConfig(
      options.config ?? { ...sizes, nHead },
      resolvedVariant,
      seedDropouts(options.dropout),
    );
    const rng = options.rng ?? getDefaultRng();
    // Every option is checked above: from here on, a failure can only come from the state dict.
    const model = withoutInit(() => buildSeedTaskModel(resolvedTask, config, sizes.numLabels, rng));
    try {
      model.loadStateDict(stateDict);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return LearnableGptRun.withModel(resolvedTask, resolvedVariant, model, options);
  }

  /** Sets the trainable set and the optimizer for a built model. */
  static withModel(
    task: SeedTask,
    variant: SeedVariant,
    model: SeedTaskModel,
    options: Pick<LearnableGptRunOptions, 'fineTuneMode' | 'optimizer' | 'batchSize'>,
  ): LearnableGptRun {
    checkRunOptions(task, options);
    const defaults = SEED_TASK_DEFAULTS[task];
    applySeedFineTuneMode(model, options.fineTuneMode ?? defaults.fineTuneMode);
    const optimizer = new AdamW({
      ...defaults.optimizer,
      ...options.optimizer,
      correctBias: true,
    });
    return new LearnableGptRun(task, variant, model, optimizer, options.batchSize ?? null);
  }

  /**
   * Every parameter the seed marks `requires_grad`, in its order; this includes parameters that
   * never get a gradient (the unused `gpt.pooler_dense.*`), which AdamW then skips.
   */
  trainableNames(): string[] {
    return this.model.namedParameters({ trainableOnly: true }).map(([name]) => name);
  }

  /** The trainable parameters that receive no gradient (the forward never reads them). */
  parametersWithoutGradient(): string[] {
    const trainable = new Set(this.trainableNames());
    return this.model.gpt.unusedParameterNames('gpt.').filter((name) => trainable.has(name));
  }

  /** Trainable scalars, as the seed prints them ("Total Trainable Parameters"). */
  trainableParameterCount(): number {
    return this.model.numParameters({ trainableOnly: true });
  }

  /**
   * One step of the script's training loop in train mode (dropout active): `zero_grad`, forward,
   * loss, backward, `AdamW.step`. Resolves to the loss computed before the update.
   */
  async trainStep(batch: SeedBatch): Promise<number> {
    if (batch.labels === undefined) throw new Error('trainStep: the batch has no labels');
    // Parameters the loss never reaches (pooler_dense) get no gradient, and AdamW skips them.
    const params = this.model.parameters({ trainableOnly: true });
    this.model.train();
    const [ids, mask, labels] = [batch.inputIds, batch.attentionMask, batch.labels].map(intTensor);
    try {
      const rows = ids.shape[0] as number;
      const { value, grads } = tf.variableGrads(
        () => this.model.loss(ids, mask, labels, this.batchSize ?? rows),
        params,
      );
      this.optimizer.applyGradients(grads);
      tf.dispose(grads);
      const [loss] = await value.data();
      value.dispose();
      return loss;
    } finally {
      tf.dispose([ids, mask, labels]);
    }
  }

  /** The model's logits in eval mode (no dropout): the caller disposes them. */
  evalLogits(batch: SeedBatch): tf.Tensor {
    this.model.eval();
    const ids = intTensor(batch.inputIds);
    const mask = intTensor(batch.attentionMask);
    try {
      return this.model.forward(ids, mask);
    } finally {
      tf.dispose([ids, mask]);
    }
  }

  /**
   * A copy of the seed's `model.state_dict()`: every parameter and buffer under its name
   * (`gpt.position_ids` int32, `causal_mask` and the KAN grids float32). The caller disposes it.
   */
  seedStateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(
      Object.entries(this.model.stateDict()).map(([name, t]) => [name, tf.clone(t)]),
    );
  }

  /** Frees the model and the optimizer's state. */
  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

function checkRunOptions(
  task: SeedTask,
  options: Pick<LearnableGptRunOptions, 'fineTuneMode' | 'batchSize'>,
): void {
  if (options.fineTuneMode !== undefined) checkSeedFineTuneMode(task, options.fineTuneMode);
  const { batchSize } = options;
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
}
