import { customGrad } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/** Added to the scores of missing edges: far below any real score, yet finite (no inf − inf). */
const NO_EDGE = -1e30;

/**
 * Softmax over the last axis restricted to the entries where `allowed` is 1 (a `0/1` float mask
 * broadcastable to `scores`). A row with no allowed entry gives all zeros, as PyG's sparse softmax
 * gives a node without incoming edges, instead of the NaN of a `-inf`-filled dense softmax.
 *
 * Computed as `softmax(scores + NO_EDGE·(1 − allowed)) · allowed`: a missing edge's exponential is
 * exactly 0, so on a row with edges this is PyG's `exp(e − max) / (Σ exp(e − max) + 1e-16)` (the
 * sum is at least 1, so the 1e-16 is below float32 resolution), and an edgeless row (uniform
 * before the mask) becomes zeros. The backend's softmax kernel is vectorised on wasm; its `exp`
 * is not.
 */
export function maskedSoftmax(scores: tf.Tensor, allowed: tf.Tensor): tf.Tensor {
  const axis = scores.rank - 1;
  return customGrad(([e], save) => {
    const masked = tf.add(e, tf.mul(tf.sub(1, allowed), NO_EDGE));
    const alpha = tf.mul(tf.softmax(masked), allowed);
    save([alpha]);
    return {
      value: alpha,
      gradFunc: (dy, [a]) => [tf.mul(a, tf.sub(dy, tf.sum(tf.mul(dy, a), axis, true)))],
    };
  })(scores);
}
