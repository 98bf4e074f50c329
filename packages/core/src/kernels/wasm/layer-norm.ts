import type * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM, type LayerNormAttrs } from '../names.js';
import { wasmGemm } from './gemm.js';
import type { WasmHeapBackend } from './heap.js';

/** gemm.wat's `layer_norm` over the heap: every row of `x`'s last axis in one call. */
function layerNormWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo };
  backend: WasmHeapBackend;
  attrs: LayerNormAttrs;
}): tf.TensorInfo {
  const { x, weight, bias } = inputs;
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${LAYER_NORM}: this wasm backend cannot run lgpt's kernels`);
  const cols = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((n, d) => n * d, 1);
  const out = backend.makeOutput(x.shape, 'float32');
  // Offsets after makeOutput, which may grow the heap and move its views.
  const [xAt, weightAt, biasAt, outAt] = [x, weight, bias, out].map(
    (t) => backend.typedArrayFromHeap(t).byteOffset,
  );
  gemm.exports.layer_norm(xAt, weightAt, biasAt, outAt, rows, cols, attrs.eps);
  return out;
}

export const layerNormWasmConfig: tf.KernelConfig = {
  kernelName: LAYER_NORM,
  backendName: 'wasm',
  kernelFunc: layerNormWasm as unknown as tf.KernelFunc,
};
