import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION, type AttentionAttrs } from './kernels/names.js';
import { runsValueKernel } from './ops/gemm.js';

/**
 * Scaled dot-product attention's value, `softmax(q·kᵀ / divisor + bias) · v` per head with the
 * heads merged, by one kernel where this backend has one (wasm) and no gradient is being computed
 * (inference, a prompt read whole); null elsewhere, where the caller runs its ops. `qkv`
 * `[B, T, 3·H·D]` holds q, k and v side by side (Hugging Face's `c_attn` order) and `bias`
 * `[B|1, 1, T, T]` is added to the scores (causal and padding masks). Its result has the bits of
 * those ops on the same backend (`batchMatMul`, `tf.div`, `tf.add`, `tf.softmax`) wherever they
 * multiply by lgpt's GEMM: on wasm, every batch of more than one head.
 */
export function fusedAttention(
  qkv: tf.Tensor3D,
  bias: tf.Tensor4D,
  heads: number,
  divisor: number,
): tf.Tensor3D | null {
  const [batch, length, width] = qkv.shape;
  const [biasBatch, biasHeads, queries, keys] = bias.shape;
  const fits =
    width % (3 * heads) === 0 &&
    (biasBatch === 1 || biasBatch === batch) &&
    biasHeads === 1 &&
    queries === length &&
    keys === length;
  if (!fits || !runsValueKernel(ATTENTION, [qkv, bias])) return null;
  const attrs: AttentionAttrs = { heads, divisor };
  return tf.engine().runKernel(ATTENTION, { qkv, bias }, attrs) as tf.Tensor3D;
}
