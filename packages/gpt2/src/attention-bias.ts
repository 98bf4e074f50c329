import { slice } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * What a masked score gets added: about the float32 minimum, as Hugging Face uses
 * `finfo(dtype).min`, so exp(masked − max) is exactly 0. Not the minimum itself: tfjs-webgpu's
 * softmax starts its row max at −3.402823e38 and returns NaN for a row entirely below that (a pad
 * query whose keys are all masked), and the NaN would reach real tokens through 0 × NaN. With this
 * value such a row's softmax is uniform.
 */
export const MASKED = -3.4e38;

/**
 * The causal bias for every position pair, `[nPositions, nPositions]`: 0 where the key is not after
 * the query, `MASKED` above the diagonal. Built once per model; each forward slices its window.
 */
export function causalBiasTable(nPositions: number): tf.Tensor2D {
  const values = new Float32Array(nPositions * nPositions);
  for (let q = 0; q < nPositions; q++) {
    values.fill(MASKED, q * nPositions + q + 1, (q + 1) * nPositions);
  }
  return tf.tensor2d(values, [nPositions, nPositions]);
}

/**
 * The additive attention bias `[B|1, 1, T, past+T]` for `T` new queries after `past` cached keys:
 * causal, plus padded keys (`attentionMask` 0) masked. The two are combined with `minimum`, not
 * added, so a masked-twice score is `MASKED` rather than -Infinity.
 */
export function attentionBias(
  causalTable: tf.Tensor2D,
  past: number,
  length: number,
  attentionMask: tf.Tensor2D | null,
): tf.Tensor4D {
  return tf.tidy(() => {
    const total = past + length;
    const causal = tf.reshape(slice(causalTable, [past, 0], [length, total]), [
      1,
      1,
      length,
      total,
    ]) as tf.Tensor4D;
    if (!attentionMask) return causal;
    const [batch] = attentionMask.shape;
    const padded = tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), MASKED);
    return tf.minimum(causal, tf.reshape(padded, [batch, 1, 1, total])) as tf.Tensor4D;
  });
}

/**
 * Position ids `[B, T]` for the last `length` tokens of a masked sequence, as Hugging Face's
 * `generate` derives them: `cumsum(mask) − 1` (each row counts only its real tokens, so left padding
 * gives the same positions as no padding), and 1 at pad tokens.
 */
export function positionIdsFromMask(attentionMask: tf.Tensor2D, length: number): tf.Tensor2D {
  return tf.tidy(() => {
    const mask = tf.cast(attentionMask, 'float32');
    const counted = tf.sub(tf.cumsum(mask, 1), 1);
    const positions = tf.where(tf.equal(mask, 0), tf.onesLike(counted), counted);
    const [batch, total] = attentionMask.shape;
    return tf.cast(slice(positions, [0, total - length], [batch, length]), 'int32') as tf.Tensor2D;
  });
}
