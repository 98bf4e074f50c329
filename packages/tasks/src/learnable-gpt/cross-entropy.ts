import * as tf from '@tensorflow/tfjs-core';

/**
 * `F.cross_entropy(logits, targets, reduction='none')`: `−log softmax(logits)[target]` per row,
 * for `logits` `[N, K]` and integer `targets` `[N]`.
 */
export function crossEntropyPerRow(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = logits.shape[logits.rank - 1] as number;
    const oneHot = tf.oneHot(tf.cast(tf.reshape(targets, [-1]), 'int32'), classes);
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), -1)) as tf.Tensor1D;
  });
}
