import { customGrad } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  B_SPLINE_BASIS,
  B_SPLINE_BASIS_GRAD,
  type BasisLayout,
  type BSplineBasisAttrs,
} from '../kernels/names.js';
import { bSplineBasisComposite, bSplineBasisGradComposite } from './b-spline-basis-composite.js';

export interface BSplineBasisOptions {
  /** `'rows'` (default): `[..., in, coeffs]`; `'features'`: `[in, coeffs, rows]` (2-D `x` only). */
  layout?: BasisLayout;
  /**
   * Use the fused kernel when the active backend has one (default true); false forces the
   * composite of tfjs ops (what backends without a kernel, e.g. tfjs-node, always run).
   */
  fused?: boolean;
}

/** Whether the active backend has a fused kernel registered under `kernelName`. */
export function hasFusedKernel(kernelName: string = B_SPLINE_BASIS): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * efficient-kan's `b_splines(x)`: the order-`splineOrder` B-spline bases of every `x[..., i]` on
 * the knots `grid[i]`, `[..., in, numKnots - 1 - splineOrder]`. Differentiable in `x` (`grid` is a
 * buffer, as in the reference). Intervals are half-open, so `x` at or beyond the last knot (or
 * below the first) gives all-zero bases.
 */
export function bSplineBasis(
  x: tf.Tensor,
  grid: tf.Tensor,
  splineOrder: number,
  options: BSplineBasisOptions = {},
): tf.Tensor {
  const layout = options.layout ?? 'rows';
  const features = checkArgs('bSplineBasis', x, grid, splineOrder);
  if (layout === 'features' && x.rank !== 2) {
    throw new Error(`bSplineBasis: layout 'features' needs a 2-D x, got shape [${x.shape}]`);
  }
  return tf.tidy(() => {
    const x2d = tf.reshape(asFloat(x), [-1, features]) as tf.Tensor2D;
    const grid2d = asFloat(grid) as tf.Tensor2D;
    const attrs: BSplineBasisAttrs = { splineOrder, layout };
    const bases = useKernel(B_SPLINE_BASIS, options.fused)
      ? (tf.engine().runKernel(B_SPLINE_BASIS, { x: x2d, grid: grid2d }, attrs) as tf.Tensor)
      : compositeWithGrad(x2d, grid2d, splineOrder, layout);
    return layout === 'rows' ? tf.reshape(bases, [...x.shape, bases.shape[2]!]) : bases;
  });
}

/**
 * The gradient of `bSplineBasis` w.r.t. `x` for the upstream gradient `dy` (in `layout`),
 * `[rows, in]`: the backward pass of the op, exposed so a caller that recomputes the bases in its
 * own backward pass (the spline matmul) can skip saving them.
 */
export function bSplineBasisGrad(
  x: tf.Tensor2D,
  grid: tf.Tensor2D,
  dy: tf.Tensor3D,
  splineOrder: number,
  options: BSplineBasisOptions = {},
): tf.Tensor2D {
  const layout = options.layout ?? 'rows';
  if (useKernel(B_SPLINE_BASIS_GRAD, options.fused)) {
    const attrs: BSplineBasisAttrs = { splineOrder, layout };
    return tf.engine().runKernel(B_SPLINE_BASIS_GRAD, { x, grid, dy }, attrs) as tf.Tensor2D;
  }
  return bSplineBasisGradComposite(x, grid, dy, splineOrder, layout);
}

function asFloat(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

function useKernel(kernelName: string, fused = true): boolean {
  return fused && hasFusedKernel(kernelName);
}

/** The composite forward, with the memory-lean analytic backward instead of autograd's. */
function compositeWithGrad(
  x: tf.Tensor2D,
  grid: tf.Tensor2D,
  order: number,
  layout: BasisLayout,
): tf.Tensor {
  return customGrad(([x2d], save) => {
    // The grid is saved too: the caller's float32 copy of it is gone by the backward pass.
    save([x2d, grid]);
    return {
      value: bSplineBasisComposite(x2d as tf.Tensor2D, grid, order, layout),
      gradFunc: (dy, [xs, knots]) => [
        bSplineBasisGradComposite(
          xs as tf.Tensor2D,
          knots as tf.Tensor2D,
          dy as tf.Tensor3D,
          order,
          layout,
        ),
      ],
    };
  })(x);
}

function checkArgs(op: string, x: tf.Tensor, grid: tf.Tensor, order: number): number {
  if (grid.rank !== 2) {
    throw new Error(`${op}: grid must be [in_features, num_knots], got shape [${grid.shape}]`);
  }
  const [features, knots] = grid.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== features) {
    throw new Error(
      `${op}: x has shape [${x.shape}] but the grid [${grid.shape}] is for ${features} features (the last axis of x)`,
    );
  }
  if (!Number.isInteger(order) || order < 0 || knots - 1 - order < 1) {
    throw new Error(
      `${op}: splineOrder ${order} needs an integer >= 0 and at least ${order + 2} knots per feature (grid has ${knots})`,
    );
  }
  return features;
}
