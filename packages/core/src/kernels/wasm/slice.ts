import type * as tf from '@tensorflow/tfjs-core';
import { SLICE, type SliceAttrs } from '../names.js';
import { copyBox, type WasmHeapBackend } from './heap.js';

/**
 * tfjs-backend-wasm's Slice first copies its whole input out of the heap (`readSync`), so slicing
 * 1 MB off a 150 MB embedding copies 150 MB. This one copies only the slice, heap to heap.
 */
function sliceWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: tf.TensorInfo };
  backend: WasmHeapBackend;
  attrs: SliceAttrs;
}): tf.TensorInfo {
  const { x } = inputs;
  const { begin, size } = attrs;
  const out = backend.makeOutput([...size], x.dtype);
  // Views after makeOutput: allocating may grow (and so detach) the heap.
  copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

export const sliceWasmConfig: tf.KernelConfig = {
  kernelName: SLICE,
  backendName: 'wasm',
  kernelFunc: sliceWasm as unknown as tf.KernelFunc,
};
