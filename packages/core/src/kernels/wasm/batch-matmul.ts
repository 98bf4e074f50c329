import * as tf from '@tensorflow/tfjs-core';
import { BATCH_MATMUL, type BatchMatMulAttrs } from '../names.js';

/**
 * wasm's own BatchMatMul uses XNNPACK only for a batch of one without transposes; anything else
 * runs a scalar loop (~2 GFLOP/s: 90 ms for GPT-2's [96, 128, 64] @ [96, 64, 128]). Here each batch
 * entry becomes one channel of a depthwise convolution, which XNNPACK runs as grouped GEMMs (~4×
 * faster): input `[1, M, K, G]`, filter `[1, K, G, N]` (channel multiplier N), a 1×K window,
 * 'valid' padding, so `out[0, i, 0, g·N + n] = Σ_k a[g, i, k] · b[g, k, n]`.
 * The operands are transposed into those layouts anyway, so a transposed operand (`[G, K, M]` or
 * `[G, N, K]`) costs nothing extra: only the permutation changes.
 * It composes the wasm backend's own kernels, as tfjs backends do internally.
 */
function batchMatMulViaDepthwiseConv({
  inputs,
  backend,
  attrs,
}: {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs: BatchMatMulAttrs;
}): tf.TensorInfo {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const groups = a.shape[0];
  const [rows, inner] = transposeA ? [a.shape[2], a.shape[1]] : [a.shape[1], a.shape[2]];
  const cols = transposeB ? b.shape[1] : b.shape[2];
  const intermediates: tf.TensorInfo[] = [];
  const run = (kernel: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: object) => {
    const config = tf.getKernel(kernel, 'wasm');
    if (!config) throw new Error(`${BATCH_MATMUL}: the wasm backend has no '${kernel}' kernel`);
    return config.kernelFunc({
      inputs: kernelInputs,
      backend,
      attrs: kernelAttrs as tf.NamedAttrMap,
    }) as tf.TensorInfo;
  };
  const temp = (t: tf.TensorInfo) => {
    intermediates.push(t);
    return t;
  };
  // a → [M, K, G]; b → [K, G, N].
  const x = temp(run('Transpose', { x: a }, { perm: transposeA ? [2, 1, 0] : [1, 2, 0] }));
  const input = temp(run('Reshape', { x }, { shape: [1, rows, inner, groups] }));
  const f = temp(run('Transpose', { x: b }, { perm: transposeB ? [2, 0, 1] : [1, 0, 2] }));
  const filter = temp(run('Reshape', { x: f }, { shape: [1, inner, groups, cols] }));
  const conv = temp(
    run(
      'DepthwiseConv2dNative',
      { x: input, filter },
      { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC' },
    ),
  );
  const perRow = temp(run('Reshape', { x: conv }, { shape: [rows, groups, cols] }));
  const out = run('Transpose', { x: perRow }, { perm: [1, 0, 2] });
  for (const t of intermediates) backend.disposeData(t.dataId);
  return out;
}

export const batchMatMulWasmConfig: tf.KernelConfig = {
  kernelName: BATCH_MATMUL,
  backendName: 'wasm',
  kernelFunc: batchMatMulViaDepthwiseConv as unknown as tf.KernelFunc,
};
