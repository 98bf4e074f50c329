import { customGrad } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { bSplineBasis, bSplineBasisGrad } from './b-spline-basis.js';

export interface SplineLinearArgs {
  /** `[rows, in]` */
  x: tf.Tensor2D;
  /** `[in, numKnots]` */
  grid: tf.Tensor2D;
  /** `[out, in, coeffs]` */
  splineWeight: tf.Tensor;
  /** `[out, in]`, or null when efficient-kan's standalone scaler is disabled. */
  splineScaler: tf.Tensor | null;
  splineOrder: number;
  fused?: boolean;
}

/**
 * efficient-kan's spline path, `b_splines(x).view(rows, -1) @ scaled_spline_weight.view(out, -1)ᵀ`,
 * `[rows, out]`, as one custom op tuned for wasm (where a transposed matMul operand is 10–40× slower):
 *
 * - every matMul is plain: the forward computes `(W · Bᵀ)ᵀ` with the bases written directly in the
 *   `[in·coeffs, rows]` layout by the basis kernel, so the 4·out·in·coeffs-byte weight is never
 *   transposed; the backward only transposes `dy` (`[rows, out]`);
 * - only `x` (and the small grid, which `updateGrid` may replace) is saved: the bases and the scaled
 *   weight are recomputed in the backward pass, an elementwise pass against the matMuls'
 *   2·rows·out·in·coeffs flops;
 * - a frozen (non-trainable) weight or scaler is closed over, not an input, so neither its gradient
 *   nor the weight-gradient matMul is computed (LoRA-KAN trains only the adapters).
 */
export function splineLinear(args: SplineLinearArgs): tf.Tensor2D {
  const { x, grid, splineWeight, splineScaler, splineOrder, fused } = args;
  const [outFeatures, inFeatures, coeffs] = splineWeight.shape as [number, number, number];
  const flat = inFeatures * coeffs;
  const weightTrainable = isTrainable(splineWeight);
  const scalerTrainable = splineScaler !== null && isTrainable(splineScaler);
  const inputs: tf.Tensor[] = [x];
  if (weightTrainable) inputs.push(splineWeight);
  if (scalerTrainable) inputs.push(splineScaler);

  const scaledWeight = (): tf.Tensor2D =>
    tf.reshape(
      splineScaler ? tf.mul(splineWeight, tf.expandDims(splineScaler, -1)) : splineWeight,
      [outFeatures, flat],
    );

  return customGrad(([x2d], save) => {
    save([x2d, grid]);
    const value = tf.tidy(() => {
      const basesT = bSplineBasis(x2d, grid, splineOrder, { layout: 'features', fused });
      const productT = tf.matMul(scaledWeight(), tf.reshape(basesT, [flat, x2d.shape[0]]));
      return tf.transpose(productT);
    });
    return {
      value,
      gradFunc: (dy, [xs, knots]) => {
        const rows = xs.shape[0];
        // The weight-sized scaled weight is freed before the basis gradient runs.
        const dBases = tf.tidy(
          () =>
            tf.reshape(tf.matMul(dy as tf.Tensor2D, scaledWeight()), [
              rows,
              inFeatures,
              coeffs,
            ]) as tf.Tensor3D,
        );
        const dx = bSplineBasisGrad(xs as tf.Tensor2D, knots as tf.Tensor2D, dBases, splineOrder, {
          fused,
        });
        dBases.dispose();
        if (!weightTrainable && !scalerTrainable) return [dx];
        return [dx, ...weightGrads(xs as tf.Tensor2D, knots as tf.Tensor2D, dy as tf.Tensor2D)];
      },
    };
  })(...inputs) as tf.Tensor2D;

  function weightGrads(xs: tf.Tensor2D, knots: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor[] {
    // Disposed as soon as used (not at the end of one tidy): each of these is as big as the weight.
    const dScaled = tf.tidy(() => {
      const bases = tf.reshape(bSplineBasis(xs, knots, splineOrder, { fused }), [
        xs.shape[0],
        flat,
      ]);
      return tf.reshape(tf.matMul(tf.transpose(dy), bases), [outFeatures, inFeatures, coeffs]);
    });
    // The scaler's gradient first: its weight-sized product is freed before the weight's gradient
    // (also weight-sized) exists, so at most three weight-sized tensors are alive at once.
    const dScaler = scalerTrainable
      ? tf.tidy(() => tf.sum(tf.mul(dScaled, splineWeight), -1))
      : null;
    let dWeight: tf.Tensor | null = null;
    if (weightTrainable) {
      dWeight = splineScaler
        ? tf.tidy(() => tf.mul(dScaled, tf.expandDims(splineScaler, -1)))
        : dScaled;
    }
    if (dWeight !== dScaled) dScaled.dispose();
    return [dWeight, dScaler].filter((g): g is tf.Tensor => g !== null);
  }
}

function isTrainable(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && t.trainable;
}
