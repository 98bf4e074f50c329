import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from '../custom-grad.js';
import { GATHER_ROWS } from '../kernels/names.js';

/**
 * Row gather and its adjoint, segment sum, written as a pair of custom gradients.
 *
 * tfjs's own gather gradient runs `UnsortedSegmentSum`, a kernel the wasm backend does not have,
 * so a graph layer built on `tf.gather` could not be trained on wasm. `scatterND` sums duplicate
 * indices on every backend (cpu, wasm, webgpu, tensorflow), which is exactly a segment sum.
 * The index tensors are saved for the backward pass, so a caller may free its own copy once the
 * forward pass is done.
 */

/** `x[indices]` along axis 0; its gradient scatters back with a segment sum. */
export function gatherRows(x: tf.Tensor, indices: tf.Tensor1D): tf.Tensor {
  const numRows = x.shape[0];
  return customGrad(([input], save) => {
    save([indices]);
    return {
      value: rowsAt(input, indices),
      gradFunc: (dy, [ids]) => [scatterAddRows(dy, ids as tf.Tensor1D, numRows)],
    };
  })(x);
}

/**
 * `tf.gather(x, indices)` along axis 0 for int32 `indices`, run by the backend's `LgptGatherRows`
 * kernel where it has one (wasm), else by `tf.gather`. No gradient of its own: a frozen table's
 * lookup, or `gatherRows`' value.
 */
export function rowsAt(x: tf.Tensor, indices: tf.Tensor1D): tf.Tensor {
  const runsKernel =
    x.dtype !== 'string' &&
    x.rank >= 1 &&
    indices.dtype === 'int32' &&
    tf.getKernel(GATHER_ROWS, tf.getBackend()) !== undefined;
  if (!runsKernel) return tf.gather(x, indices);
  return tf.engine().runKernel(GATHER_ROWS, { x, indices }, {}) as tf.Tensor;
}

/**
 * `out[s] = Σ data[k] over k with segmentIds[k] = s` for s in [0, numSegments) (TensorFlow's
 * `unsorted_segment_sum`); segments nobody points at are zero. Its gradient is a row gather.
 */
export function segmentSum(
  data: tf.Tensor,
  segmentIds: tf.Tensor1D,
  numSegments: number,
): tf.Tensor {
  return customGrad(([input], save) => {
    save([segmentIds]);
    return {
      value: scatterAddRows(input, segmentIds, numSegments),
      gradFunc: (dy, [ids]) => [rowsAt(dy, ids as tf.Tensor1D)],
    };
  })(data);
}

/** The segment sum itself, for use inside other ops' forward and backward passes. */
export function scatterAddRows(
  data: tf.Tensor,
  segmentIds: tf.Tensor1D,
  numSegments: number,
): tf.Tensor {
  const outShape = [numSegments, ...data.shape.slice(1)];
  if (data.shape[0] === 0) return tf.zeros(outShape, data.dtype);
  return tf.scatterND(tf.reshape(segmentIds, [-1, 1]), data, outShape);
}
