import type * as tf from '@tensorflow/tfjs-core';
import { DROPOUT_MASK, type DropoutMaskAttrs } from '../names.js';
import { heapFunctionKernel } from './elementwise.js';
import type { WasmHeapBackend } from './heap.js';

/** gemm.wat's `dropout_mask` over the heap: the whole tensor in one call. */
function dropoutMaskWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: tf.TensorInfo; mask: tf.TensorInfo };
  backend: WasmHeapBackend;
  attrs: DropoutMaskAttrs;
}): tf.TensorInfo {
  const { x, mask } = inputs;
  const count = x.shape.reduce((n, d) => n * d, 1);
  return heapFunctionKernel(DROPOUT_MASK, backend, x, [x, mask], (gemm, [xAt, maskAt], outAt) =>
    gemm.dropout_mask(xAt, maskAt, outAt, count, attrs.scale),
  );
}

export const dropoutMaskWasmConfig: tf.KernelConfig = {
  kernelName: DROPOUT_MASK,
  backendName: 'wasm',
  kernelFunc: dropoutMaskWasm as unknown as tf.KernelFunc,
};
