import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.tidy` for a function returning an object of tensors (kept, like any tensor `tidy` returns).
 * tfjs types only accept index-signature objects, which our typed outputs are not.
 */
export function tidyObject<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
