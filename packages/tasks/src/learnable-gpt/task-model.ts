import type { Module } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { SeedGPT2Model } from './gpt2-model.js';
import type { SeedTask } from './seed-config.js';

/** One of the seed scripts' model classes: the GPT-2 body under `gpt.`, a head, a loss. */
export interface SeedTaskModel extends Module {
  readonly task: SeedTask;
  readonly gpt: SeedGPT2Model;
  /** The class's `forward(input_ids, attention_mask)`: the logits its training loop reads. */
  forward(inputIds: tf.Tensor, attentionMask: tf.Tensor): tf.Tensor;
  /**
   * The script's training loss of a batch, labels as its collate function gives them.
   * `batchSize` is the script's `args.batch_size` (only the sentiment loss reads it).
   */
  loss(
    inputIds: tf.Tensor,
    attentionMask: tf.Tensor,
    labels: tf.Tensor,
    batchSize: number,
  ): tf.Scalar;
}
