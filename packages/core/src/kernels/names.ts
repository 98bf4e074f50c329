/**
 * Names and attributes of lgpt's own kernels, shared by the ops, the per-backend kernels and the
 * gradients. Prefixed so they never collide with a tfjs kernel.
 */

/** A batched matMul `[G, M, K] @ [G, K, N] → [G, M, N]` (float32), operands optionally transposed. */
export const BATCH_MATMUL = 'LgptBatchMatMul';

export interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  // tfjs attribute maps are string-indexed.
  [key: string]: boolean;
}

/** The GEMM's: `keepBPacked` marks B as a weight worth packing once and keeping (packed-weights.ts). */
export interface GemmAttrs extends BatchMatMulAttrs {
  keepBPacked: boolean;
}

/** `tf.slice`, for backends whose own Slice copies more than the slice (wasm). */
export const SLICE = 'LgptSlice';

export interface SliceAttrs {
  begin: number[];
  size: number[];
  /** The input's shape, for the gradient (which then keeps no input alive). */
  inputShape: number[];
  [key: string]: number[];
}

/** `tf.split` with explicit sizes, for backends whose own SplitV is slow (wasm). */
export const SPLIT = 'LgptSplit';

export interface SplitAttrs {
  sizes: number[];
  axis: number;
  [key: string]: number[] | number;
}

/**
 * A batched float32 matMul `[G, M, K] @ [G, K, N] → [G, M, N]`, operands optionally transposed, by
 * lgpt's own GEMM (wasm). Same attributes as `LgptBatchMatMul`. An optional third input `bias`
 * `[N]` is added to every row of the product (a linear layer's bias), as `tf.add` would.
 */
export const GEMM = 'LgptGemm';

/**
 * LayerNorm's value over the last axis (`x` float32, `weight` and `bias` of its last size), for
 * backends with a kernel for it (wasm, webgpu): one kernel where the ops take nine. No gradient: it runs
 * outside gradient computation only (layer-norm.ts).
 */
export const LAYER_NORM = 'LgptLayerNorm';

export interface LayerNormAttrs {
  eps: number;
  [key: string]: number;
}

/**
 * Rows of `x` along its first axis at int32 `indices` (rank 1): `tf.gather(x, indices)`, for
 * backends whose own GatherV2 is slow (wasm: 30 ms for 1024 rows of 768 floats, element by element).
 * No gradient: `gatherRows` gives it one.
 */
export const GATHER_ROWS = 'LgptGatherRows';

/**
 * GELU's tanh approximation (`geluTanh`'s value) of a float32 tensor, for backends with a kernel
 * for it (wasm, webgpu): one kernel where the ops take six. No gradient of its own: `geluTanh`'s custom
 * gradient runs GELU_TANH_GRAD (activations.ts).
 */
export const GELU_TANH = 'LgptGeluTanh';
/** The gradient of GELU_TANH's input `x` given that of its output, `dy`: one kernel for twelve. */
export const GELU_TANH_GRAD = 'LgptGeluTanhGrad';

/**
 * Dropout's `x · mask · scale` (`applyDropoutMask`) for a float32 `x` and a bool keep `mask` of
 * its shape, for backends with a kernel for it (wasm): one pass where tfjs's ops (Cast and two
 * Multiplies) take three. Its gradient is the same kernel on `dy` (grads/dropout-mask.ts).
 */
export const DROPOUT_MASK = 'LgptDropoutMask';

export interface DropoutMaskAttrs {
  /** `1 / (1 − p)`, as a float32 (the composite's scalar). */
  scale: number;
  [key: string]: number;
}

/**
 * Scaled dot-product attention's value from a fused q, k, v projection, `qkv` `[B, T, 3·H·D]` (q,
 * k, v side by side, Hugging Face's `c_attn` order), with an additive `bias` `[B|1, 1, T, S]`:
 * `softmax(q·kᵀ / divisor + bias) · v` per head, the heads merged: `[B, T, H·D]`. Optional inputs
 * `pastKey` and `pastValue` `[B, H, P, D]` are a cache's keys and values before the new ones
 * (S = P + T, else S = T); with `cache`, the outputs are also the present keys and values
 * `[B, H, S, D]`. For backends with a kernel for it (wasm). No gradient: it runs outside gradient
 * computation only (attention.ts).
 */
export const ATTENTION = 'LgptAttention';

export interface AttentionAttrs {
  heads: number;
  divisor: number;
  cache: boolean;
  [key: string]: number | boolean;
}
