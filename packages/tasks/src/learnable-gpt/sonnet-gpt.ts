import { Module, type Rng } from '@lgpt/core';
import { causalLmLoss } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { SeedGPT2Model } from './gpt2-model.js';
import type { SeedModelConfig } from './seed-config.js';
import type { SeedTaskModel } from './task-model.js';

/**
 * `sonnet_generation.py`'s `SonnetGPT`: logits at every position against the tied word embedding,
 * and `CE(mean)` of `logits[:, :-1]` against `input_ids[:, 1:]` over all `B·(T−1)` targets, pad
 * targets and pad positions included (no `ignore_index`).
 */
export class SeedSonnetGPT extends Module implements SeedTaskModel {
  readonly task = 'sonnet';
  readonly gpt: SeedGPT2Model;

  constructor(config: SeedModelConfig, rng?: Rng) {
    super();
    this.gpt = this.registerModule('gpt', new SeedGPT2Model(config, rng));
  }

  forward(inputIds: tf.Tensor, _attentionMask: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.gpt.hiddenStateToToken(this.gpt.forward(inputIds)));
  }

  /**
   * The same loss without ever holding the `[B, T, V]` logits: `causalLmLoss` shifts its labels by
   * one, so it gets `labels` behind a placeholder column, and no label is ignored.
   */
  loss(inputIds: tf.Tensor, _attentionMask: tf.Tensor, labels: tf.Tensor): tf.Scalar {
    const [batch, length] = inputIds.shape as [number, number];
    if (labels.rank !== 2 || labels.shape[0] !== batch || labels.shape[1] !== length - 1) {
      throw new RangeError(
        `sonnet labels must be [${batch}, ${length - 1}] (input_ids[:, 1:]), got [${labels.shape}]`,
      );
    }
    return tf.tidy(() => {
      const hidden = this.gpt.forward(inputIds) as tf.Tensor3D;
      const shifted = tf.concat([tf.zeros([batch, 1], 'int32'), tf.cast(labels, 'int32')], 1);
      return causalLmLoss(
        hidden,
        this.gpt.wordEmbedding.weight as tf.Tensor2D,
        shifted as tf.Tensor2D,
      );
    });
  }
}
