import { Dropout, Linear, Module, type Rng, slice } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SeedModelConfig } from './seed-config.js';

/**
 * Added to a masked score: about float32's minimum, so exp → 0 as with the seed's −inf, without the
 * NaN that −inf (or the exact minimum, on webgpu) gives a row with every key masked (@lgpt/gpt2's
 * attention uses the same value, for the same reason).
 */
const MASKED = -3.4e38;

/**
 * The seed's `CausalSelfAttention` (`modules/attention.py`): separate `query`, `key`, `value`
 * `nn.Linear`s and a `causal_mask` buffer `[1, 1, P, P]` (lower-triangular ones). The attention
 * mask of the batch is ignored: padded keys are attended like real ones (with right padding, real
 * positions never see them; pad positions see everything before them).
 */
export class SeedCausalSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly dropout: Dropout;
  private readonly numHeads: number;

  constructor(config: SeedModelConfig, rng?: Rng) {
    super();
    const { hiddenSize: c, maxPositions: p } = config;
    this.numHeads = config.numHeads;
    this.query = this.registerModule('query', new Linear(c, c, { rng }));
    this.key = this.registerModule('key', new Linear(c, c, { rng }));
    this.value = this.registerModule('value', new Linear(c, c, { rng }));
    this.dropout = this.registerModule('dropout', new Dropout(config.dropouts.attention, rng));
    this.registerBuffer(
      'causal_mask',
      tf.tidy(() => tf.reshape(tf.linalg.bandPart(tf.ones([p, p]), -1, 0), [1, 1, p, p])),
    );
  }

  /** `[B, T, C]` → `[B, T, C]` (the heads' outputs side by side, before `attention_dense`). */
  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [batch, length, width] = hidden.shape;
      const headSize = width / this.numHeads;
      const heads = (x: tf.Tensor) =>
        tf.transpose(tf.reshape(x, [batch, length, this.numHeads, headSize]), [0, 2, 1, 3]);
      const q = heads(this.query.forward(hidden));
      const k = heads(this.key.forward(hidden));
      const v = heads(this.value.forward(hidden));
      const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(headSize));
      // masked_fill(causal_mask == 0, -inf): MASKED gives the same probabilities (exp → 0).
      const causal = slice(this.getBuffer('causal_mask'), [0, 0, 0, 0], [1, 1, length, length]);
      const bias = tf.mul(tf.sub(1, causal), MASKED);
      const probs = this.dropout.forward(tf.softmax(tf.add(scores, bias)));
      const context = tf.matMul(probs, v);
      return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, width]);
    });
  }
}
