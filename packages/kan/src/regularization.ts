import * as tf from '@tensorflow/tfjs-core';

/**
 * efficient-kan's stand-in for the KAN paper's L1 + entropy regulariser, computed from the
 * weights rather than from the `[rows, in, out]` activations it would need: per edge the mean
 * |spline_weight| (`l1`), then `a · Σ l1 + e · (−Σ p·log p)` with `p = l1 / Σ l1`.
 */
export function splineRegularizationLoss(
  splineWeight: tf.Tensor,
  regularizeActivation = 1,
  regularizeEntropy = 1,
): tf.Scalar {
  return tf.tidy(() => {
    const l1 = tf.mean(tf.abs(splineWeight), -1);
    const activation = tf.sum(l1);
    const p = tf.div(l1, activation);
    const entropy = tf.neg(tf.sum(tf.mul(p, tf.log(p))));
    return tf.add(tf.mul(activation, regularizeActivation), tf.mul(entropy, regularizeEntropy));
  });
}
