import type * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM, type LayerNormAttrs } from '../names.js';
import { heapFunctionKernel } from './elementwise.js';
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
  const cols = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((n, d) => n * d, 1);
  return heapFunctionKernel(
    LAYER_NORM,
    backend,
    x,
    [x, weight, bias],
    (gemm, [xAt, weightAt, biasAt], outAt) =>
      gemm.layer_norm(xAt, weightAt, biasAt, outAt, rows, cols, attrs.eps),
  );
}

export const layerNormWasmConfig: tf.KernelConfig = {
  kernelName: LAYER_NORM,
  backendName: 'wasm',
  kernelFunc: layerNormWasm as unknown as tf.KernelFunc,
};
