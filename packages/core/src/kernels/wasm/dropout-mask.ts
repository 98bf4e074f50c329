import type * as tf from '@tensorflow/tfjs-core';
import { DROPOUT_MASK, type DropoutMaskAttrs } from '../names.js';
import { wasmGemm } from './gemm.js';
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
  const gemm = wasmGemm(backend);
  if (gemm === null)
    throw new Error(`${DROPOUT_MASK}: this wasm backend cannot run lgpt's kernels`);
  const out = backend.makeOutput(x.shape, 'float32');
  // Offsets after makeOutput, which may grow the heap and move its views.
  const [xAt, maskAt, outAt] = [x, mask, out].map((t) => backend.typedArrayFromHeap(t).byteOffset);
  const count = x.shape.reduce((n, d) => n * d, 1);
  gemm.exports.dropout_mask(xAt, maskAt, outAt, count, attrs.scale);
  return out;
}

export const dropoutMaskWasmConfig: tf.KernelConfig = {
  kernelName: DROPOUT_MASK,
  backendName: 'wasm',
  kernelFunc: dropoutMaskWasm as unknown as tf.KernelFunc,
};
