import { applyDropoutMask, batchMatMul, customGrad, split } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

export interface AttendOptions {
  /** The scores are divided by this (√D, times the layer index with `scale_attn_by_inverse_layer_idx`). */
  divisor: number;
  /** The attention dropout's keep mask `[B, H, T, S]` and probability; null for none. */
  dropout: { mask: tf.Tensor; p: number } | null;
}

/**
 * Scaled dot-product attention over heads, `dropout(softmax(q·kᵀ / divisor + bias)) · v`, for
 * `q` `[B, H, T, D]`, `k` and `v` `[B, H, S, D]` and an additive `bias` `[B|1, 1, T, S]`.
 *
 * Both entry points are one custom op: the backward keeps the inputs, the probabilities and the
 * 1-byte dropout mask (autodiff of the composite would also keep the scores, the biased scores, a
 * float32 mask and the dropped probabilities, plus a gradient for each), and every product runs
 * through `batchMatMul` with its transposes folded in (tfjs-wasm runs a batched or transposed
 * `tf.matMul` as a scalar loop).
 */
export function attend(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  options: AttendOptions,
): tf.Tensor4D {
  return customGrad(([qi, ki, vi], save) => {
    const probs = attentionProbs(qi, ki, bias, options.divisor);
    save(options.dropout ? [qi, ki, vi, probs, options.dropout.mask] : [qi, ki, vi, probs]);
    return {
      value: batchMatMul(dropped(probs, options.dropout?.mask, options), vi),
      gradFunc: (dy, [qs, ks, vs, p, keep]) => attentionGrads(dy, qs, ks, vs, p, keep, options),
    };
  })(q, k, v) as tf.Tensor4D;
}

/**
 * Attention straight from `c_attn`'s output: `qkv` `[B, T, 3·H·D]` (q, k, v side by side, as
 * Hugging Face splits it) → the heads' outputs merged back, `[B, T, H·D]`. The heads are split and
 * merged inside the op, so autodiff records one node (and keeps one gradient) for the whole
 * attention instead of one per transpose and split; the backward pass re-splits the saved `qkv`.
 */
export function attendQkv(
  qkv: tf.Tensor3D,
  bias: tf.Tensor4D,
  heads: number,
  options: AttendOptions,
): tf.Tensor3D {
  const [batch, length, width] = qkv.shape;
  const headDim = width / (3 * heads);
  return customGrad(([x], save) => {
    const [q, k, v] = splitQkv(x, heads);
    const probs = attentionProbs(q, k, bias, options.divisor);
    save(options.dropout ? [x, probs, options.dropout.mask] : [x, probs]);
    const context = batchMatMul(dropped(probs, options.dropout?.mask, options), v);
    return {
      value: mergeHeads(context, batch, length),
      gradFunc: (dy, [xs, p, keep]) => {
        const [qs, ks, vs] = splitQkv(xs, heads);
        const dContext = tf.transpose(
          tf.reshape(dy, [batch, length, heads, headDim]),
          [0, 2, 1, 3],
        );
        const grads = attentionGrads(dContext, qs, ks, vs, p, keep, options);
        // [B, 3H, T, D] → [B, T, 3H·D]: the inverse of splitQkv.
        return [mergeHeads(tf.concat(grads, 1), batch, length)];
      },
    };
  })(qkv) as tf.Tensor3D;
}

/** `[B, T, 3·H·D]` → q, k, v `[B, H, T, D]`: one transpose, then a split along the head axis. */
export function splitQkv(qkv: tf.Tensor, heads: number): tf.Tensor4D[] {
  const [batch, length, width] = qkv.shape;
  const headDim = width / (3 * heads);
  const byHead = tf.transpose(tf.reshape(qkv, [batch, length, 3 * heads, headDim]), [0, 2, 1, 3]);
  return split(byHead, [heads, heads, heads], 1) as tf.Tensor4D[];
}

/** `[B, H, T, D]` → `[B, T, H·D]`. */
function mergeHeads(t: tf.Tensor, batch: number, length: number): tf.Tensor3D {
  return tf.reshape(tf.transpose(t, [0, 2, 1, 3]), [batch, length, -1]) as tf.Tensor3D;
}

function attentionProbs(q: tf.Tensor, k: tf.Tensor, bias: tf.Tensor, divisor: number): tf.Tensor {
  return tf.tidy(() => {
    let scores = batchMatMul(q, k, false, true);
    if (divisor !== 1) scores = tf.div(scores, divisor);
    return tf.softmax(tf.add(scores, bias));
  });
}

function dropped(t: tf.Tensor, keep: tf.Tensor | undefined, options: AttendOptions): tf.Tensor {
  return keep && options.dropout ? applyDropoutMask(t, keep, options.dropout.p) : t;
}

/** Gradients of `q`, `k`, `v` for the context gradient `dy`. */
function attentionGrads(
  dy: tf.Tensor,
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  probs: tf.Tensor,
  keep: tf.Tensor | undefined,
  options: AttendOptions,
): tf.Tensor[] {
  const dv = batchMatMul(dropped(probs, keep, options), dy, true, false);
  const dProbs = dropped(batchMatMul(dy, v, false, true), keep, options);
  // Softmax backward: p ⊙ (dp − Σ dp ⊙ p).
  let dScores = tf.mul(probs, tf.sub(dProbs, tf.sum(tf.mul(dProbs, probs), -1, true)));
  if (options.divisor !== 1) dScores = tf.div(dScores, options.divisor);
  return [batchMatMul(dScores, k), batchMatMul(dScores, q, true, false), dv];
}
