import * as tf from '@tensorflow/tfjs-core';

export interface ClippedGradients {
  /** New tensors (the inputs are left alone): each gradient times min(1, maxNorm / (norm + 1e-6)). */
  grads: tf.NamedTensorMap;
  /** The total norm before clipping, as a scalar tensor (read it with `await totalNorm.data()`). */
  totalNorm: tf.Scalar;
}

/**
 * `torch.nn.utils.clip_grad_norm_`: the norm of all gradients together (the `normType`-norm of the
 * per-tensor norms; `Infinity` takes the largest absolute value), then every gradient scaled by
 * min(1, maxNorm / (total + 1e-6)). Null gradients are skipped. The caller owns the results.
 */
export function clipGradNorm(
  grads: tf.NamedTensorMap | Record<string, tf.Tensor | null>,
  maxNorm: number,
  { normType = 2 }: { normType?: number } = {},
): ClippedGradients {
  if (!(maxNorm >= 0)) throw new Error(`clipGradNorm: maxNorm must be ≥ 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new Error(`clipGradNorm: normType must be > 0, got ${normType}`);
  const present = Object.entries(grads).filter((e): e is [string, tf.Tensor] => e[1] != null);
  return tf.tidy(() => {
    if (present.length === 0) return { grads: {}, totalNorm: tf.scalar(0) };
    const totalNorm = vectorNorm(
      tf.stack(present.map(([, g]) => vectorNorm(g, normType))),
      normType,
    );
    const scale = tf.minimum(tf.div(maxNorm, tf.add(totalNorm, 1e-6)), 1);
    const clipped: tf.NamedTensorMap = {};
    for (const [name, g] of present) clipped[name] = tf.mul(g, scale);
    return { grads: clipped, totalNorm };
  });
}

/** The p-norm of all elements (tf.norm only knows p = 1, 2, ∞). */
function vectorNorm(t: tf.Tensor, p: number): tf.Scalar {
  if (p === Number.POSITIVE_INFINITY) return tf.max(tf.abs(t));
  if (p === 2) return tf.sqrt(tf.sum(tf.square(t)) as tf.Scalar);
  return tf.pow(tf.sum(tf.pow(tf.abs(t), p)), 1 / p) as tf.Scalar;
}
