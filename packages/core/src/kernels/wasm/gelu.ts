import type * as tf from '@tensorflow/tfjs-core';
import { GELU_TANH } from '../names.js';
import { wasmGemm } from './gemm.js';
import type { WasmHeapBackend } from './heap.js';

/** gemm.wat's `gelu_tanh` over the heap: the whole tensor in one call. */
function geluTanhWasm({
  inputs,
  backend,
}: {
  inputs: { x: tf.TensorInfo };
  backend: WasmHeapBackend;
}): tf.TensorInfo {
  const { x } = inputs;
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${GELU_TANH}: this wasm backend cannot run lgpt's kernels`);
  const out = backend.makeOutput(x.shape, 'float32');
  // Offsets after makeOutput, which may grow the heap and move its views.
  const [xAt, outAt] = [x, out].map((t) => backend.typedArrayFromHeap(t).byteOffset);
  gemm.exports.gelu_tanh(
    xAt,
    outAt,
    x.shape.reduce((n, d) => n * d, 1),
  );
  return out;
}

export const geluTanhWasmConfig: tf.KernelConfig = {
  kernelName: GELU_TANH,
  backendName: 'wasm',
  kernelFunc: geluTanhWasm as unknown as tf.KernelFunc,
};
