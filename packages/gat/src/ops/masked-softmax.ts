import { customGrad } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/** Added to the scores of missing edges: far below any real score, yet finite (no inf − inf). */
const NO_EDGE = -1e30;

/**
 * Softmax over the last axis restricted to the entries where `allowed` is 1 (a `0/1` float mask
 * broadcastable to `scores`). A row with no allowed entry gives all zeros, as PyG's sparse softmax
 * gives a node without incoming edges, instead of the NaN of a `-inf`-filled dense softmax. The
 * `+ 1e-16` in the denominator is PyG's too, so the dense and sparse paths agree.
 */
export function maskedSoftmax(scores: tf.Tensor, allowed: tf.Tensor): tf.Tensor {
  const axis = scores.rank - 1;
  return customGrad(([e], save) => {
    const masked = tf.add(e, tf.mul(tf.sub(1, allowed), NO_EDGE));
    const shift = tf.max(masked, axis, true);
    const weights = tf.mul(tf.exp(tf.sub(masked, shift)), allowed);
    const alpha = tf.div(weights, tf.add(tf.sum(weights, axis, true), 1e-16));
    save([alpha]);
    return {
      value: alpha,
      gradFunc: (dy, [a]) => [tf.mul(a, tf.sub(dy, tf.sum(tf.mul(dy, a), axis, true)))],
    };
  })(scores);
}
