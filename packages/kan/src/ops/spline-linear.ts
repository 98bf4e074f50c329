import { batchMatMul, customGrad, slice, transposeMatrix } from '@lgpt/core';
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
  /**
   * Input features per block of the products, at most (default: 1000 / coeffs, so a block of
   * bases or weights is at most ~1000 columns wide).
   */
  featureBlock?: number;
}

/**
 * efficient-kan's spline path, `b_splines(x).view(rows, -1) @ scaled_spline_weight.view(out, -1)ᵀ`,
 * `[rows, out]`, as one custom op tuned for wasm:
 *
 * - the products are `batchMatMul`s (lgpt's GEMM on wasm, for which a transposed operand is
 *   free; tfjs-wasm's own transposed matMul is far slower: DEVELOPERS.md, Performance): the forward computes `(W · Bᵀ)ᵀ`
 *   with the bases written directly in the `[in·coeffs, rows]` layout by the basis kernel, so the
 *   weight is never transposed;
 * - the `in·coeffs` axis (6144 for 768 features) is taken in blocks of `featureBlock` features:
 *   XNNPACK does not block its GEMM for the cache and runs a 25–75 MB operand at half speed;
 * - the scaled weight is formed block by block, never whole;
 * - only `x` (and the small grid, which `updateGrid` may replace) is saved: the bases and the
 *   scaled weight are recomputed in the backward pass, an elementwise pass against the matMuls'
 *   2·rows·out·in·coeffs flops;
 * - a frozen (non-trainable) weight or scaler is closed over, not an input, so neither its gradient
 *   nor the weight-gradient matMul is computed (LoRA-KAN trains only the adapters).
 */
export function splineLinear(args: SplineLinearArgs): tf.Tensor2D {
  const { x, grid, splineWeight, splineScaler, splineOrder, fused } = args;
  const [outFeatures, inFeatures, coeffs] = splineWeight.shape as [number, number, number];
  const weightTrainable = isTrainable(splineWeight);
  const scalerTrainable = splineScaler !== null && isTrainable(splineScaler);
  const inputs: tf.Tensor[] = [x];
  if (weightTrainable) inputs.push(splineWeight);
  if (scalerTrainable) inputs.push(splineScaler);
  const blocks = featureBlocks(
    inFeatures,
    args.featureBlock ?? Math.max(1, Math.floor(1000 / coeffs)),
  );

  /** `[out, n·coeffs]`: the scaled weight of features `[start, start + n)`. */
  const scaledWeight = ([start, n]: Block): tf.Tensor2D =>
    tf.tidy(() => {
      const w = blockOf(splineWeight, start, n, 1);
      const scaled = splineScaler
        ? tf.mul(w, tf.expandDims(blockOf(splineScaler, start, n, 1), -1))
        : w;
      return tf.reshape(scaled, [outFeatures, n * coeffs]) as tf.Tensor2D;
    });

  return customGrad(([x2d], save) => {
    save([x2d, grid]);
    const rows = x2d.shape[0];
    const value = tf.tidy(() => {
      const basesT = bSplineBasis(x2d, grid, splineOrder, { layout: 'features', fused });
      const productT = sumOver(blocks, (block) =>
        batchMatMul(
          scaledWeight(block),
          tf.reshape(blockOf(basesT, block[0], block[1], 0), [block[1] * coeffs, rows]),
        ),
      );
      return tf.transpose(productT);
    });
    return {
      value,
      gradFunc: (dy, [xs, knots]) => {
        const d = dy as tf.Tensor2D;
        // dBases[:, block] = dy · scaledWeight(block), assembled as [rows, in, coeffs].
        const dBases = tf.concat(
          blocks.map((block) =>
            tf.tidy(() =>
              tf.reshape(batchMatMul(d, scaledWeight(block)), [rows, block[1], coeffs]),
            ),
          ),
          1,
        ) as tf.Tensor3D;
        const dx = bSplineBasisGrad(xs as tf.Tensor2D, knots as tf.Tensor2D, dBases, splineOrder, {
          fused,
        });
        dBases.dispose();
        if (!weightTrainable && !scalerTrainable) return [dx];
        return [dx, ...weightGrads(xs as tf.Tensor2D, knots as tf.Tensor2D, d)];
      },
    };
  })(...inputs) as tf.Tensor2D;

  /** Gradients of the weight and the scaler, block by block, then joined along the feature axis. */
  function weightGrads(xs: tf.Tensor2D, knots: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor[] {
    const rows = xs.shape[0];
    const bases = bSplineBasis(xs, knots, splineOrder, { fused }); // [rows, in, coeffs]
    // Transposed once here, not per block (the GEMM would take `dy` transposed for free, but
    // elsewhere each block would transpose it again).
    const dyT = transposeMatrix(dy); // [out, rows]
    const weightParts: tf.Tensor[] = [];
    const scalerParts: tf.Tensor[] = [];
    for (const [start, n] of blocks) {
      // Not tf.keep: a kept gradient would escape the backward pass's cleanup when autodiff
      // adds it to another one.
      const parts = tf.tidy(() => {
        const basesBlock = tf.reshape(blockOf(bases, start, n, 1), [rows, n * coeffs]);
        const dScaled = tf.reshape(batchMatMul(dyT, basesBlock), [outFeatures, n, coeffs]);
        const out: tf.Tensor[] = [];
        if (weightTrainable) {
          const scaler = splineScaler
            ? tf.expandDims(blockOf(splineScaler, start, n, 1), -1)
            : null;
          out.push(scaler ? tf.mul(dScaled, scaler) : dScaled);
        }
        if (scalerTrainable)
          out.push(tf.sum(tf.mul(dScaled, blockOf(splineWeight, start, n, 1)), -1));
        return out;
      });
      if (weightTrainable) weightParts.push(parts.shift() as tf.Tensor);
      if (scalerTrainable) scalerParts.push(parts.shift() as tf.Tensor);
    }
    tf.dispose([bases, dyT]);
    const grads: tf.Tensor[] = [];
    if (weightTrainable) grads.push(joined(weightParts));
    if (scalerTrainable) grads.push(joined(scalerParts));
    return grads;
  }
}

type Block = [start: number, size: number];

/** Equal blocks of at most `maxSize` features. */
function featureBlocks(features: number, maxSize: number): Block[] {
  const size = Math.ceil(features / Math.ceil(features / maxSize));
  const out: Block[] = [];
  for (let start = 0; start < features; start += size) {
    out.push([start, Math.min(size, features - start)]);
  }
  return out;
}

/** Entries `[start, start + n)` of `t` along `axis` (the tensor itself when that is all of it). */
function blockOf(t: tf.Tensor, start: number, n: number, axis: number): tf.Tensor {
  if (start === 0 && n === t.shape[axis]) return t;
  const begin = t.shape.map(() => 0);
  const size = [...t.shape];
  begin[axis] = start;
  size[axis] = n;
  return slice(t, begin, size);
}

/** Σ over blocks of `part(block)`, keeping one running sum. */
function sumOver(blocks: Block[], part: (block: Block) => tf.Tensor): tf.Tensor {
  let total: tf.Tensor | null = null;
  for (const block of blocks) {
    const next = tf.tidy(() => (total ? tf.add(total, part(block)) : part(block)));
    total?.dispose();
    total = next;
  }
  return total as unknown as tf.Tensor;
}

/** Blocks joined along axis 1 (the feature axis), freeing the blocks. */
function joined(parts: tf.Tensor[]): tf.Tensor {
  if (parts.length === 1) return parts[0];
  const whole = tf.concat(parts, 1);
  tf.dispose(parts);
  return whole;
}

function isTrainable(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && t.trainable;
}
