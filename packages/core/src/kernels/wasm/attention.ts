import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION, type AttentionAttrs } from '../names.js';
import { multiplyAll, type Product, wasmGemm } from './gemm.js';
import type { WasmHeapBackend } from './heap.js';

interface AttentionBackend extends WasmHeapBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Where one head's keys (or values) lie: byte offset of its first row, and floats between rows. */
interface Rows {
  at: number;
  stride: number;
}

/**
 * Attention's value in one kernel (see ATTENTION): the heads are read from `qkv` and written into
 * the merged output where they lie, through the GEMM's strides, so nothing is split, transposed or
 * reshaped; with a cache, the present keys and values (the past ones, then the new) are written
 * once, as tf.concat would, and the products read them there. Each step is the one the ops run
 * (attention-core.ts in @lgpt/gpt2: `batchMatMul` on the GEMM, RealDiv, Add, tfjs-wasm's Softmax),
 * so the result has the same bits. GPT-2's `[1, 32]` forward spent ~6.5 ms (of ~180) in the ops'
 * ~100 kernels and their dispatch; a generated token ~3 ms (of ~29).
 */
function attentionWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: {
    qkv: tf.TensorInfo;
    bias: tf.TensorInfo;
    pastKey?: tf.TensorInfo;
    pastValue?: tf.TensorInfo;
  };
  backend: AttentionBackend;
  attrs: AttentionAttrs;
}): tf.TensorInfo | tf.TensorInfo[] {
  const { qkv, bias, pastKey, pastValue } = inputs;
  const { heads, divisor, cache } = attrs;
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${ATTENTION}: this wasm backend cannot run lgpt's GEMM`);
  const [batch, length, width] = qkv.shape;
  const channels = width / 3;
  const headDim = channels / heads;
  const past = pastKey ? pastKey.shape[2] : 0;
  const keys = past + length;
  const out = backend.makeOutput([batch, length, channels], 'float32');
  // The keys and values are read from the present ones wherever there are past ones to join.
  const joined = cache || past > 0;
  const present = joined
    ? [0, 1].map(() => backend.makeOutput([batch, heads, keys, headDim], 'float32'))
    : [];
  // One row of scores per (batch, head, query), so the Softmax kernel takes them all at once;
  // `pairs[i]` is the (batch, head) of scores' i-th `[T, S]` block.
  const scores = backend.makeOutput([batch * heads * length, keys], 'float32');
  const pairs = Array.from({ length: batch * heads }, (_, i) => ({
    batch: Math.floor(i / heads),
    head: i % heads,
  }));
  // Views are taken after allocating, which may grow the heap and detach the older ones.
  const at = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  if (joined) writePresent(backend, qkv, [pastKey, pastValue], present, heads);
  const [qkvAt, scoresAt] = [at(qkv), at(scores)];
  const presentAt = present.map(at);
  /** Where head (b, h)'s keys (part 1) or values (part 2) lie: the present ones, or qkv's. */
  const rowsOf = (part: 1 | 2, b: number, h: number): Rows =>
    joined
      ? { at: presentAt[part - 1] + 4 * (b * heads + h) * keys * headDim, stride: headDim }
      : { at: qkvAt + 4 * (b * length * width + part * channels + h * headDim), stride: width };
  const block = length * keys;
  // q · kᵀ: q's rows are `width` floats apart in qkv.
  multiplyAll(
    gemm,
    pairs.map(({ batch: b, head: h }, i) => {
      const k = rowsOf(1, b, h);
      return product({
        a: qkvAt + 4 * (b * length * width + h * headDim),
        aRowStride: width,
        aDepthStride: 1,
        b: k.at,
        bDepthStride: 1,
        bColStride: k.stride,
        c: scoresAt + 4 * i * block,
        cRowStride: keys,
        rows: length,
        depth: headDim,
        cols: keys,
      });
    }),
  );
  // ÷ divisor, + bias: float32 operations, as RealDiv's and Add's.
  const values = backend.typedArrayFromHeap(scores) as Float32Array;
  const biasValues = backend.typedArrayFromHeap(bias) as Float32Array;
  const biasBatches = bias.shape[0];
  const d = Math.fround(divisor);
  pairs.forEach(({ batch: b }, i) => {
    const biasAt = biasBatches === 1 ? 0 : b * block;
    const base = i * block;
    for (let j = 0; j < block; j++) {
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
  const [probsAt, outAt] = [at(probs), at(out)];
  multiplyAll(
    gemm,
    pairs.map(({ batch: b, head: h }, i) => {
      const v = rowsOf(2, b, h);
      return product({
        a: probsAt + 4 * i * block,
        aRowStride: keys,
        aDepthStride: 1,
        b: v.at,
        bDepthStride: v.stride,
        bColStride: 1,
        c: outAt + 4 * (b * length * channels + h * headDim),
        cRowStride: channels,
        rows: length,
        depth: keys,
        cols: headDim,
      });
    }),
  );
  backend.disposeData(probs.dataId);
  if (cache) return [out, ...present];
  for (const t of present) backend.disposeData(t.dataId);
  return out;
}

/**
 * The present keys and values `[B, H, past + T, D]`: each head's past rows, then its new rows
 * from qkv (k at `channels`, v at `2·channels`), as tf.concat of the past and the split heads.
 */
function writePresent(
  backend: AttentionBackend,
  qkv: tf.TensorInfo,
  pasts: (tf.TensorInfo | undefined)[],
  present: tf.TensorInfo[],
  heads: number,
): void {
  const [batch, length, width] = qkv.shape;
  const channels = width / 3;
  const headDim = channels / heads;
  const source = backend.typedArrayFromHeap(qkv) as Float32Array;
  present.forEach((target, part) => {
    const dst = backend.typedArrayFromHeap(target) as Float32Array;
    const pastInfo = pasts[part];
    const pastValues = pastInfo ? (backend.typedArrayFromHeap(pastInfo) as Float32Array) : null;
    const past = pastInfo ? pastInfo.shape[2] : 0;
    const keys = past + length;
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const head = (b * heads + h) * keys * headDim;
        if (pastValues) {
          const from = (b * heads + h) * past * headDim;
          dst.set(pastValues.subarray(from, from + past * headDim), head);
        }
        for (let t = 0; t < length; t++) {
          const from = b * length * width + (part + 1) * channels + h * headDim + t * width;
          dst.set(source.subarray(from, from + headDim), head + (past + t) * headDim);
        }
      }
    }
  });
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
