import type * as tf from '@tensorflow/tfjs-core';
import { GELU_TANH, GELU_TANH_GRAD } from '../names.js';
import { heapFunctionKernel } from './elementwise.js';
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
  const count = x.shape.reduce((n, d) => n * d, 1);
  return heapFunctionKernel(name, backend, x, [x, dy], (gemm, [xAt, dyAt], outAt) =>
    gemm.gelu_tanh(xAt, outAt, count, dyAt),
  );
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
