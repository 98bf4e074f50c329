import { customGrad } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Rows of `weight` `[num, dim]` at integer `ids` (any shape) → `[...ids.shape, dim]`.
 *
 * `tf.gather`'s gradient needs the `UnsortedSegmentSum` kernel, which tfjs-backend-wasm lacks, so
 * training an embedding would fail there. The gradient here is `scatterND`, which sums repeated
 * ids and exists on cpu, wasm and webgpu. A frozen weight is closed over: no gradient at all.
 */
export function embeddingLookup(weight: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const [, dim] = weight.shape;
  const flat = tf.cast(tf.reshape(ids, [-1]), 'int32');
  const outShape = [...ids.shape, dim];
  if (!(weight instanceof tf.Variable && weight.trainable)) {
    return tf.reshape(tf.gather(weight, flat), outShape);
  }
  const rows = customGrad(([w], save) => {
    // Saved, not closed over: the forward's tf.tidy disposes `flat` before the backward runs.
    save([flat]);
    return {
      value: tf.gather(w, flat),
      gradFunc: (dy, [savedIds]) => [tf.scatterND(tf.expandDims(savedIds, 1), dy, w.shape)],
    };
  })(weight);
  return tf.reshape(rows, outShape);
}
