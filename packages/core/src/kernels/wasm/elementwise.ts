import type * as tf from '@tensorflow/tfjs-core';
import { type Gemm, wasmGemm } from './gemm.js';
import type { WasmHeapBackend } from './heap.js';

/**
 * Runs one of gemm.wat's elementwise or row functions (LayerNorm, GELU, dropout) as kernel `name`:
 * a float32 output shaped as `x`, and `call` given the module's exports and the heap offsets of
 * `inputs` (0 for an absent one) and of the output, taken after `makeOutput`, which may grow the
 * heap and move its views.
 */
export function heapFunctionKernel(
  name: string,
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  inputs: readonly (tf.TensorInfo | undefined)[],
  call: (exports: Gemm['exports'], offsets: number[], outAt: number) => void,
): tf.TensorInfo {
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${name}: this wasm backend cannot run lgpt's kernels`);
  const out = backend.makeOutput(x.shape, 'float32');
  const offsets = inputs.map((t) =>
    t === undefined ? 0 : backend.typedArrayFromHeap(t).byteOffset,
  );
  call(gemm.exports, offsets, backend.typedArrayFromHeap(out).byteOffset);
  return out;
}
