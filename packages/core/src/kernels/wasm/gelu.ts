import type * as tf from '@tensorflow/tfjs-core';
import { GELU_TANH, GELU_TANH_GRAD } from '../names.js';
import { wasmGemm } from './gemm.js';
import type { WasmHeapBackend } from './heap.js';

/**
 * gemm.wat's `gelu_tanh` over the heap, the whole tensor in one call: GELU of `x`, or, given the
 * gradient `dy` of GELU's output, the gradient of its input.
 */
function geluTanhWasm(
  name: string,
  { x, dy }: { x: tf.TensorInfo; dy?: tf.TensorInfo },
  backend: WasmHeapBackend,
): tf.TensorInfo {
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${name}: this wasm backend cannot run lgpt's kernels`);
  const out = backend.makeOutput(x.shape, 'float32');
  // Offsets after makeOutput, which may grow the heap and move its views.
  const heapOffset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  gemm.exports.gelu_tanh(
    heapOffset(x),
    heapOffset(out),
    x.shape.reduce((n, d) => n * d, 1),
    dy === undefined ? 0 : heapOffset(dy),
  );
  return out;
}

type GeluKernelArgs = {
  inputs: { x: tf.TensorInfo; dy?: tf.TensorInfo };
  backend: WasmHeapBackend;
};

export const geluTanhWasmConfig: tf.KernelConfig = {
  kernelName: GELU_TANH,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend }: GeluKernelArgs) =>
    geluTanhWasm(GELU_TANH, { x: inputs.x }, backend)) as unknown as tf.KernelFunc,
};

export const geluTanhGradWasmConfig: tf.KernelConfig = {
  kernelName: GELU_TANH_GRAD,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend }: GeluKernelArgs) =>
    geluTanhWasm(GELU_TANH_GRAD, inputs, backend)) as unknown as tf.KernelFunc,
};
