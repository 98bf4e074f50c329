import * as tf from '@tensorflow/tfjs-core';
import { gemm, type KeptWeight, useGemm } from './gemm.js';
import { slice } from './slice.js';
import { transposeMatrix } from './transpose.js';

/**
 * Products with an `nn.Linear`-layout weight `w` `[out, in]`, for `linear` and its gradient where
 * lgpt's GEMM does not run (other backends, few rows).
 *
 * tfjs-wasm runs a transposed matMul far slower than a plain one (DEVELOPERS.md, Performance), so every product here is plain
 * with explicitly transposed operands. And XNNPACK (wasm's matMul) does not block its GEMM for the
 * cache: with a wide weight (an LM head's `[50257, 768]`) it streams the whole packed weight once
 * per few rows of `x` and runs at about half speed. A wide weight is therefore taken in blocks of
 * at most `BLOCK` rows (each ~3 MB, cache-sized), when `x` has enough rows for that to matter.
 * (Not 1024: a block is transposed, and wasm's 2D transpose is ~10× slower when the row count is
 * a multiple of 1024, its writes then falling on the same cache sets.)
 */
const BLOCK = 1000;
const MIN_ROWS = 256;

/** Equal blocks of at most `BLOCK` weight rows (or one block when blocking would not pay). */
function blocks(w: tf.Tensor, rows: number): [start: number, size: number][] {
  const out = w.shape[0];
  if (out <= 2 * BLOCK || rows < MIN_ROWS) return [[0, out]];
  const size = Math.ceil(out / Math.ceil(out / BLOCK));
  const ranges: [number, number][] = [];
  for (let start = 0; start < out; start += size) ranges.push([start, Math.min(size, out - start)]);
  return ranges;
}

function weightRows(w: tf.Tensor, [start, size]: [number, number]): tf.Tensor2D {
  return (
    size === w.shape[0] ? w : slice(w, [start, 0], [size, w.shape[1] as number])
  ) as tf.Tensor2D;
}

/** `x · wᵀ`, `[rows, in] · [out, in]ᵀ → [rows, out]`. */
export function timesWeightT(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const parts = blocks(w, x.shape[0]).map((range) =>
      tf.matMul(x, transposeMatrix(weightRows(w, range))),
    );
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor2D;
  });
}

/** `d · w`, `[rows, out] · [out, in] → [rows, in]`: the input gradient of `timesWeightT`. */
export function timesWeight(d: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const ranges = blocks(w, d.shape[0]);
    if (ranges.length === 1) return tf.matMul(d, w);
    const rows = d.shape[0];
    const parts = ranges.map(([start, size]) =>
      tf.matMul(slice(d, [0, start], [rows, size]) as tf.Tensor2D, weightRows(w, [start, size])),
    );
    return tf.addN(parts) as tf.Tensor2D;
  });
}

/** `dᵀ · x`, `[rows, out]ᵀ · [rows, in] → [out, in]`: the weight gradient of `timesWeightT`. */
export function weightGradient(d: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const ranges = blocks(w, d.shape[0]);
    if (ranges.length === 1) return tf.matMul(transposeMatrix(d), x);
    const rows = d.shape[0];
    const parts = ranges.map(([start, size]) =>
      tf.matMul(transposeMatrix(slice(d, [0, start], [rows, size])), x),
    );
    return tf.concat(parts, 0) as tf.Tensor2D;
  });
}

/**
 * Whether matMul's transposed forms are passed their operands as they are, rather than through
 * the explicit transposes above. webgpu's matMul shaders read either layout at the same speed,
 * while an explicit transpose is a pass of its own that copies the whole weight (the LM head's
 * 150 MB) on every call: 21 of the 42 s of a `[1, 32]` GPT-2 forward on SwiftShader.
 */
function transposesInShader(): boolean {
  return tf.getBackend() === 'webgpu';
}

let productsLeftOut = false;

/**
 * Runs `f` with the weight product of every `linear` (and of every layer built on `linearProducts`)
 * left out of its output, zeros in its place: for a pass recomputed only for its gradients
 * (gradient checkpointing) through layers whose gradients never read their output's value
 * (`LinearLike.gradientsIgnoreOutput`), so that output is never read. The products' inputs, which
 * the gradients do need, are computed as always.
 */
export function withoutWeightProducts<T>(f: () => T): T {
  const outer = productsLeftOut;
  productsLeftOut = true;
  try {
    return f();
  } finally {
    productsLeftOut = outer;
  }
}

/** `w` as a weight the GEMM may keep packed: a variable, outside gradient computation. */
function keptWeight(w: tf.Tensor2D, fanInFanOut: boolean): KeptWeight | null {
  const keep = w instanceof tf.Variable && tf.engine().state.gradientDepth === 0;
  return keep ? { weight: w, transposed: !fanInFanOut } : null;
}

/**
 * Whether `linearProducts.forward` multiplies `rows` rows by the weight `w` with lgpt's GEMM
 * (wasm; few rows from a packing it keeps), which takes either layout as it is, where tfjs's
 * matMul, which runs the product otherwise, would want an `[out, in]` weight transposed first.
 */
export function multipliesByGemm(rows: number, w: tf.Tensor2D, fanInFanOut: boolean): boolean {
  const kept = keptWeight(w, fanInFanOut);
  return kept !== null && useGemm(rows, fanInFanOut, kept);
}

/**
 * The three products of a linear layer on 2-D input, for either weight layout: `[out, in]`
 * (`nn.Linear`) or `[in, out]` with `fanInFanOut` (GPT-2's Conv1D). Used by `linear` and by layers
 * that fuse more into one op (LoRA). Where lgpt's GEMM runs (wasm, enough rows) it
 * takes either layout as it is; otherwise the `[out, in]` products are the blocked ones above.
 */
export const linearProducts = {
  /**
   * `x · W (+ bias)` for the layer: `[rows, in] → [rows, out]`. A variable's packing is kept for
   * the GEMM outside gradient computation (inference: a model's weights do not change between
   * calls; in training they do, and would be packed and kept anew every step). The bias is added
   * inside the product's kernel on wasm (the GEMM's) and webgpu (tfjs's fused matMul): one
   * dispatch fewer.
   */
  forward: (
    x: tf.Tensor2D,
    w: tf.Tensor2D,
    fanInFanOut: boolean,
    bias: tf.Tensor | null = null,
  ): tf.Tensor2D => {
    const withBias = (product: tf.Tensor2D) =>
      bias ? (tf.add(product, bias) as tf.Tensor2D) : product;
    if (productsLeftOut) return withBias(tf.zeros([x.shape[0], w.shape[fanInFanOut ? 1 : 0]]));
    const kept = keptWeight(w, fanInFanOut);
    if (useGemm(x.shape[0], fanInFanOut, kept)) {
      return gemm(x, w, false, !fanInFanOut, kept !== null, bias) as tf.Tensor2D;
    }
    if (transposesInShader()) {
      const b = bias ?? undefined;
      return tf.fused.matMul({ a: x, b: w, transposeB: !fanInFanOut, bias: b }) as tf.Tensor2D;
    }
    return withBias(fanInFanOut ? tf.matMul(x, w) : timesWeightT(x, w));
  },
  /** The input gradient: `[rows, out] → [rows, in]`. */
  inputGrad: (d: tf.Tensor2D, w: tf.Tensor2D, fanInFanOut: boolean): tf.Tensor2D => {
    if (useGemm(d.shape[0], !fanInFanOut)) return gemm(d, w, false, fanInFanOut) as tf.Tensor2D;
    if (transposesInShader()) return tf.matMul(d, w, false, fanInFanOut);
    return fanInFanOut ? tf.matMul(d, transposeMatrix(w)) : timesWeight(d, w);
  },
  /** The weight gradient, in the weight's own layout. */
  weightGrad: (
    d: tf.Tensor2D,
    x: tf.Tensor2D,
    w: tf.Tensor2D,
    fanInFanOut: boolean,
  ): tf.Tensor2D => {
    if (useGemm(w.shape[0])) {
      return (fanInFanOut ? gemm(x, d, true, false) : gemm(d, x, true, false)) as tf.Tensor2D;
    }
    if (transposesInShader()) return fanInFanOut ? tf.matMul(x, d, true) : tf.matMul(d, x, true);
    return fanInFanOut ? tf.matMul(transposeMatrix(x), d) : weightGradient(d, x, w);
  },
};
