import type * as tf from '@tensorflow/tfjs-core';
import { SPLIT, type SplitAttrs } from '../names.js';
import { copyBox, type WasmHeapBackend } from './heap.js';

/**
 * tfjs-backend-wasm's SplitV runs its Slice once per part, each copying the whole input out of the
 * heap first. This copies each part once, heap to heap.
 */
function splitWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: tf.TensorInfo };
  backend: WasmHeapBackend;
  attrs: SplitAttrs;
}): tf.TensorInfo[] {
  const { x } = inputs;
  const { sizes, axis } = attrs;
  const outs = sizes.map((part) => {
    const shape = [...x.shape];
    shape[axis] = part;
    return backend.makeOutput(shape, x.dtype);
  });
  // Views after every makeOutput: allocating may grow (and so detach) the heap.
  const src = backend.typedArrayFromHeap(x);
  const begin = x.shape.map(() => 0);
  for (const out of outs) {
    copyBox(src, x.shape, begin, out.shape, backend.typedArrayFromHeap(out));
    begin[axis] += out.shape[axis];
  }
  return outs;
}

export const splitWasmConfig: tf.KernelConfig = {
  kernelName: SPLIT,
  backendName: 'wasm',
  kernelFunc: splitWasm as unknown as tf.KernelFunc,
};
