import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION, type AttentionAttrs } from '../names.js';
import { multiplyAll, type Product, wasmGemm } from './gemm.js';
import type { WasmHeapBackend } from './heap.js';

interface AttentionBackend extends WasmHeapBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Attention's value in one kernel (see ATTENTION): the heads are read from `qkv` and written into
 * the merged output where they lie, through the GEMM's strides, so nothing is split, transposed or
 * reshaped. Each step is the one the ops run (attention-core.ts in @lgpt/gpt2: `batchMatMul` on
 * the GEMM, RealDiv, Add, tfjs-wasm's Softmax), so the result has the same bits. GPT-2's
 * `[1, 32]` forward spent ~6.5 ms (of ~180) in the ops' ~100 kernels and their dispatch.
 */
function attentionWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: { qkv: tf.TensorInfo; bias: tf.TensorInfo };
  backend: AttentionBackend;
  attrs: AttentionAttrs;
}): tf.TensorInfo {
  const { qkv, bias } = inputs;
  const { heads, divisor } = attrs;
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${ATTENTION}: this wasm backend cannot run lgpt's GEMM`);
  const [batch, length, width] = qkv.shape;
  const channels = width / 3;
  const headDim = channels / heads;
  const square = length * length;
  const out = backend.makeOutput([batch, length, channels], 'float32');
  // One row of scores per (batch, head, query), so the Softmax kernel takes them all at once;
  // `pairs[i]` is the (batch, head) of scores' i-th `[T, T]` square.
  const scores = backend.makeOutput([batch * heads * length, length], 'float32');
  const pairs = Array.from({ length: batch * heads }, (_, i) => ({
    batch: Math.floor(i / heads),
    head: i % heads,
  }));
  // Offsets are taken after allocating, which may grow the heap and move its views.
  const at = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  // q · kᵀ: q's rows and k's rows (kᵀ's columns) are `width` floats apart in qkv.
  const qkvAt = at(qkv);
  const scoresAt = at(scores);
  multiplyAll(
    gemm,
    pairs.map(({ batch: b, head: h }, i) =>
      product({
        a: qkvAt + 4 * (b * length * width + h * headDim),
        aRowStride: width,
        aDepthStride: 1,
        b: qkvAt + 4 * (b * length * width + channels + h * headDim),
        bDepthStride: 1,
        bColStride: width,
        c: scoresAt + 4 * i * square,
        cRowStride: length,
        rows: length,
        depth: headDim,
        cols: length,
      }),
    ),
  );
  // ÷ divisor, + bias: float32 operations, as RealDiv's and Add's.
  const values = backend.typedArrayFromHeap(scores) as Float32Array;
  const biasValues = backend.typedArrayFromHeap(bias) as Float32Array;
  const biasBatches = bias.shape[0];
  const d = Math.fround(divisor);
  pairs.forEach(({ batch: b }, i) => {
    const biasAt = biasBatches === 1 ? 0 : b * square;
    const base = i * square;
    for (let j = 0; j < square; j++) {
      values[base + j] = Math.fround(values[base + j] / d) + biasValues[biasAt + j];
    }
  });
  const softmax = tf.getKernel('Softmax', 'wasm');
  if (softmax === undefined) throw new Error(`${ATTENTION}: the wasm backend has no Softmax`);
  const probs = softmax.kernelFunc({
    inputs: { logits: scores },
    backend: backend as unknown as tf.KernelBackend,
    attrs: { dim: 1 },
  }) as tf.TensorInfo;
  backend.disposeData(scores.dataId);
  // probs · v, written at each head's columns of the merged output.
  const [probsAt, vAt, outAt] = [at(probs), at(qkv), at(out)];
  multiplyAll(
    gemm,
    pairs.map(({ batch: b, head: h }, i) =>
      product({
        a: probsAt + 4 * i * square,
        aRowStride: length,
        aDepthStride: 1,
        b: vAt + 4 * (b * length * width + 2 * channels + h * headDim),
        bDepthStride: width,
        bColStride: 1,
        c: outAt + 4 * (b * length * channels + h * headDim),
        cRowStride: channels,
        rows: length,
        depth: length,
        cols: headDim,
      }),
    ),
  );
  backend.disposeData(probs.dataId);
  return out;
}

/** A product with no kept packing of B. */
function product(p: Omit<Product, 'prepacked' | 'packedCol' | 'packedCols'>): Product {
  return { ...p, prepacked: 0, packedCol: 0, packedCols: p.cols };
}

export const attentionWasmConfig: tf.KernelConfig = {
  kernelName: ATTENTION,
  backendName: 'wasm',
  kernelFunc: attentionWasm as unknown as tf.KernelFunc,
};
