import { Dropout, Linear, Module, type Rng } from '@lgpt/core';
import { type GPT2LMHeadModel, gatherLastToken } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';

export interface SentimentClassifierOptions {
  numLabels: number;
  /** Dropout before the classifier (the original's `hidden_dropout_prob`, default 0.3). */
  dropoutProb?: number;
  rng?: Rng;
}

/**
 * The original `GPT2SentimentClassifier`: GPT-2's final hidden state at each sentence's last real
 * token → dropout → a linear layer to one logit per class. `gpt` is the whole language model (its
 * head is unused here), so LoRA and variants apply as usual.
 */
export class SentimentClassifier extends Module {
  readonly gpt: GPT2LMHeadModel;
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(lm: GPT2LMHeadModel, options: SentimentClassifierOptions) {
    super();
    this.gpt = this.registerModule('gpt', lm);
    this.dropout = this.registerModule(
      'dropout',
      new Dropout(options.dropoutProb ?? 0.3, options.rng),
    );
    this.classifier = this.registerModule(
      'classifier',
      new Linear(lm.config.nEmbd, options.numLabels, { rng: options.rng }),
    );
  }

  /** Logits `[B, numLabels]` for right- (or left-) padded `inputIds` with their `attentionMask`. */
  forward(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { lastHiddenState } = this.gpt.transformer.forward(inputIds, { attentionMask });
      const last = gatherLastToken(lastHiddenState, attentionMask);
      return this.classifier.forward(this.dropout.forward(last)) as tf.Tensor2D;
    });
  }
}
