import * as tf from '@tensorflow/tfjs-core';

/**
 * PyG's head handling: `[…, H, C]` becomes `[…, H·C]` (heads concatenated, head-major) or the mean
 * over heads `[…, C]`, then the bias is added.
 */
export function combineHeads(out: tf.Tensor, concat: boolean, bias: tf.Tensor | null): tf.Tensor {
  const [heads, channels] = out.shape.slice(-2);
  const merged = concat
    ? tf.reshape(out, [...out.shape.slice(0, -2), heads * channels])
    : tf.mean(out, out.rank - 2);
  return bias ? tf.add(merged, bias) : merged;
}
