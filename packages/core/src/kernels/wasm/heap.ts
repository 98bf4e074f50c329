import type * as tf from '@tensorflow/tfjs-core';

/**
 * The two methods of tfjs-backend-wasm's `BackendWasm` a JavaScript kernel needs: tensors live in
 * the WebAssembly heap and are read and written there through typed-array views, with no copy.
 * (Typed here so @lgpt/core does not depend on the wasm package's types.)
 */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Row-major strides of `shape` (the last axis has stride 1). */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  return strides;
}

/** Below this many elements a run is copied element by element (`subarray` costs an allocation). */
const SHORT_RUN = 32;

/**
 * Copies the box `[begin, begin + size)` of the row-major array `src` (of `shape`) into `out`, in
 * order. Trailing axes taken whole merge with the last partial axis into one contiguous run, so a
 * slice of whole rows is a single copy.
 */
export function copyBox(
  src: Float32Array | Int32Array | Uint8Array,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: Float32Array | Int32Array | Uint8Array,
): void {
  const strides = stridesOf(shape);
  let axis = shape.length - 1;
  while (axis >= 0 && begin[axis] === 0 && size[axis] === shape[axis]) axis--;
  if (axis < 0) {
    out.set(src.subarray(0, out.length));
    return;
  }
  const run = size[axis] * strides[axis];
  const count = size.slice(0, axis).reduce((n, d) => n * d, 1);
  const index = new Array<number>(axis).fill(0);
  let outOffset = 0;
  for (let n = 0; n < count; n++) {
    let offset = begin[axis] * strides[axis];
    for (let i = 0; i < axis; i++) offset += (begin[i] + index[i]) * strides[i];
    if (run < SHORT_RUN) {
      for (let j = 0; j < run; j++) out[outOffset + j] = src[offset + j];
    } else {
      out.set(src.subarray(offset, offset + run), outOffset);
    }
    outOffset += run;
    for (let i = axis - 1; i >= 0; i--) {
      if (++index[i] < size[i]) break;
      index[i] = 0;
    }
  }
}
