import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION, type AttentionAttrs } from './kernels/names.js';
import { runsValueKernel } from './ops/gemm.js';

/** A cache's keys and values for one layer, `[B, H, P, D]` each (Hugging Face's layout). */
export interface AttentionCache {
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

export interface FusedAttentionOptions {
  /** Keys and values of the positions before these (a KV cache). */
  past?: AttentionCache | null;
  /** Also return the present keys and values: the past ones, then the new ones. */
  cache?: boolean;
}

export interface FusedAttentionResult {
  /** `[B, T, H·D]`: the heads' outputs merged. */
  output: tf.Tensor3D;
  /** With `cache`: `[B, H, P + T, D]` each. */
  present?: AttentionCache;
}

/**
 * Scaled dot-product attention's value, `softmax(q·kᵀ / divisor + bias) · v` per head with the
 * heads merged, by one kernel where this backend has one (wasm) and no gradient is being computed
 * (inference, generation); null elsewhere, where the caller runs its ops. `qkv` `[B, T, 3·H·D]`
 * holds the new positions' q, k and v side by side (Hugging Face's `c_attn` order); `bias`
 * `[B|1, 1, T, P + T]` is added to the scores (causal and padding masks). Its result has the bits
 * of those ops on the same backend (split heads, `tf.concat` with the past, `batchMatMul`,
 * `tf.div`, `tf.add`, `tf.softmax`) wherever they multiply by lgpt's GEMM: on wasm, every batch
 * of more than one head.
 */
export function fusedAttention(
  qkv: tf.Tensor3D,
  bias: tf.Tensor4D,
  heads: number,
  divisor: number,
  { past = null, cache = false }: FusedAttentionOptions = {},
): FusedAttentionResult | null {
  const [batch, length, width] = qkv.shape;
  const headDim = width / (3 * heads);
  const pastLength = past ? past.key.shape[2] : 0;
  const pastFits =
    past === null ||
    [past.key, past.value].every((t) =>
      tf.util.arraysEqual(t.shape, [batch, heads, pastLength, headDim]),
    );
  const [biasBatch, biasHeads, queries, keys] = bias.shape;
  const fits =
    Number.isInteger(headDim) &&
    pastFits &&
    (biasBatch === 1 || biasBatch === batch) &&
    biasHeads === 1 &&
    queries === length &&
    keys === pastLength + length;
  const inputs: tf.NamedTensorMap = past
    ? { qkv, bias, pastKey: past.key, pastValue: past.value }
    : { qkv, bias };
  if (!fits || !runsValueKernel(ATTENTION, Object.values(inputs))) return null;
  const attrs: AttentionAttrs = { heads, divisor, cache };
  const outputs = tf.engine().runKernel(ATTENTION, inputs, attrs);
  if (!cache) return { output: outputs as tf.Tensor3D };
  const [output, key, value] = outputs as tf.Tensor[];
  return {
    output: output as tf.Tensor3D,
    present: { key: key as tf.Tensor4D, value: value as tf.Tensor4D },
  };
}
