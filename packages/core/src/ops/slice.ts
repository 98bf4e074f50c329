import * as tf from '@tensorflow/tfjs-core';
import { SLICE, type SliceAttrs, SPLIT, type SplitAttrs } from '../kernels/names.js';

/**
 * `tf.slice(x, begin, size)`, run by the backend's `LgptSlice` kernel where it has one (wasm, whose
 * own Slice copies the whole input first), else `tf.slice` itself. Differentiable.
 */
export function slice(x: tf.Tensor, begin: number[], size: number[]): tf.Tensor {
  if (!hasKernel(SLICE, x)) return tf.slice(x, begin, size);
  const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
  tf.slice_util.assertParamsValid(x, b, s);
  const attrs: SliceAttrs = { begin: b, size: s, inputShape: [...x.shape] };
  return tf.engine().runKernel(SLICE, { x }, attrs) as tf.Tensor;
}

/**
 * `tf.split(x, sizes, axis)` with explicit part sizes, run by the backend's `LgptSplit` kernel
 * where it has one (wasm), else `tf.split` itself. Differentiable (the gradient is a concat).
 */
export function split(x: tf.Tensor, sizes: number[], axis = 0): tf.Tensor[] {
  const [ax] = tf.util.parseAxisParam(axis, x.shape);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== x.shape[ax] || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(
      `split: sizes [${sizes}] must be non-negative integers summing to ${x.shape[ax]} (axis ${ax} of [${x.shape}])`,
    );
  }
  if (!hasKernel(SPLIT, x)) return tf.split(x, sizes, ax);
  const attrs: SplitAttrs = { sizes, axis: ax };
  return tf.engine().runKernel(SPLIT, { x }, attrs) as unknown as tf.Tensor[];
}

function hasKernel(name: string, x: tf.Tensor): boolean {
  return x.dtype !== 'string' && tf.getKernel(name, tf.getBackend()) !== undefined;
}
