import { Linear, Module, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropyPerRow } from './cross-entropy.js';
import { SeedGPT2Model } from './gpt2-model.js';
import type { SeedModelConfig } from './seed-config.js';
import type { SeedTaskModel } from './task-model.js';

/** GPT-2's token id of "yes", the label of a paraphrase in `datasets.py:44` ("no" is 3919). */
export const YES_TOKEN_ID = 8505;
export const NO_TOKEN_ID = 3919;

/**
 * `paraphrase_detection.py`'s `ParaphraseGPT`: `paraphrase_detection_head` = `Linear(C, 2)` on the
 * hidden state at the last position (a pad for padded rows), and `CE(mean)` against
 * `labels == 8505`.
 */
export class SeedParaphraseGPT extends Module implements SeedTaskModel {
  readonly task = 'paraphrase';
  readonly gpt: SeedGPT2Model;
  readonly paraphraseDetectionHead: Linear;

  constructor(config: SeedModelConfig, rng?: Rng) {
    super();
    this.gpt = this.registerModule('gpt', new SeedGPT2Model(config, rng));
    this.paraphraseDetectionHead = this.registerModule(
      'paraphrase_detection_head',
      new Linear(config.hiddenSize, 2, { rng }),
    );
  }

  forward(inputIds: tf.Tensor, _attentionMask: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const hidden = this.gpt.forward(inputIds);
      const [batch, length, width] = hidden.shape as [number, number, number];
      const last = tf.reshape(tf.slice(hidden, [0, length - 1, 0], [batch, 1, width]), [
        batch,
        width,
      ]);
      return this.paraphraseDetectionHead.forward(last);
    });
  }

  loss(inputIds: tf.Tensor, attentionMask: tf.Tensor, labels: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.forward(inputIds, attentionMask);
      const targets = tf.cast(tf.equal(tf.reshape(labels, [-1]), YES_TOKEN_ID), 'int32');
      return tf.mean(crossEntropyPerRow(logits, targets));
    });
  }
}
