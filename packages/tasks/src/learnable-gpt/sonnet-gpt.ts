import { Module, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropyPerRow } from './cross-entropy.js';
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

  loss(logits: tf.Tensor, labels: tf.Tensor, _batchSize: number): tf.Scalar {
    return tf.tidy(() => {
      const [batch, length, vocab] = logits.shape as [number, number, number];
      if (labels.rank !== 2 || labels.shape[0] !== batch || labels.shape[1] !== length - 1) {
        throw new RangeError(
          `sonnet labels must be [${batch}, ${length - 1}] (input_ids[:, 1:]), got [${labels.shape}]`,
        );
      }
      const predicting = tf.reshape(tf.slice(logits, [0, 0, 0], [batch, length - 1, vocab]), [
        -1,
        vocab,
      ]);
      return tf.mean(crossEntropyPerRow(predicting, labels));
    });
  }
}
