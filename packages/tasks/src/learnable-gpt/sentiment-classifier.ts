import { Dropout, Linear, Module, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropyPerRow } from './cross-entropy.js';
import { SeedGPT2Model } from './gpt2-model.js';
import type { SeedModelConfig } from './seed-config.js';
import type { SeedTaskModel } from './task-model.js';

/**
 * `classifier.py`'s `GPT2SentimentClassifier`: `classifier(dropout(h[b, sum(mask_b) − 1]))`, the
 * hidden state of each row's last real token, and the loss `CE(sum) / args.batch_size`.
 */
export class SeedSentimentClassifier extends Module implements SeedTaskModel {
  readonly task = 'sentiment';
  readonly gpt: SeedGPT2Model;
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: SeedModelConfig, numLabels: number, rng?: Rng) {
    super();
    this.gpt = this.registerModule('gpt', new SeedGPT2Model(config, rng));
    this.dropout = this.registerModule('dropout', new Dropout(config.dropouts.head, rng));
    this.classifier = this.registerModule(
      'classifier',
      new Linear(config.hiddenSize, numLabels, { rng }),
    );
  }

  forward(inputIds: tf.Tensor, attentionMask: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const hidden = this.gpt.forward(inputIds);
      const length = hidden.shape[1] as number;
      const last = tf.sub(tf.sum(tf.cast(attentionMask, 'int32'), 1), tf.scalar(1, 'int32'));
      // Selecting with a one-hot mask keeps the values exact and the gradient simple.
      const pick = tf.expandDims(tf.oneHot(last, length), -1);
      const lastToken = tf.sum(tf.mul(hidden, pick), 1);
      return this.classifier.forward(this.dropout.forward(lastToken));
    });
  }

  loss(
    inputIds: tf.Tensor,
    attentionMask: tf.Tensor,
    labels: tf.Tensor,
    batchSize: number,
  ): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.forward(inputIds, attentionMask);
      return tf.div(tf.sum(crossEntropyPerRow(logits, labels)), batchSize);
    });
  }
}
