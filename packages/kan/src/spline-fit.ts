import { basisWindow, type KnotGrid } from './kernels/b-spline-js.js';
import { leastSquares } from './lstsq.js';

/**
 * Least-squares spline fits in float64 (see `lstsq.ts` for why not tfjs): efficient-kan's
 * `curve2coeff`, and the change of basis `update_grid` needs.
 */

/** The `rows × coeffs` bases of feature `feature` of `x` (`[rows, in]` row-major), in float64. */
export function basisMatrix(
  x: ArrayLike<number>,
  rows: number,
  feature: number,
  grid: KnotGrid,
  order: number,
): Float64Array {
  const features = grid.knots.length / grid.numKnots;
  const coeffs = grid.numKnots - 1 - order;
  const a = new Float64Array(rows * coeffs);
  const window = new Float64Array(order + 1);
  for (let r = 0; r < rows; r++) {
    const s = basisWindow(x[r * features + feature], grid, feature, order, window);
    if (s < 0) continue;
    for (let c = Math.max(0, s - order); c <= Math.min(coeffs - 1, s); c++) {
      a[r * coeffs + c] = window[c - s + order];
    }
  }
  return a;
}

/**
 * `curve2coeff(x, y)`: per input feature i, the coefficients C_i (`coeffs × out`) minimising
 * ‖bases_i(x)·C_i − y[:, i, :]‖. `x` is `[rows, in]`, `y` `[rows, in, out]`; returns
 * `[out, in, coeffs]` (the layout of `spline_weight`).
 */
export function fitCoefficients(
  x: ArrayLike<number>,
  rows: number,
  grid: KnotGrid,
  order: number,
  y: ArrayLike<number>,
  outFeatures: number,
): Float32Array {
  const features = grid.knots.length / grid.numKnots;
  const coeffs = grid.numKnots - 1 - order;
  const result = new Float32Array(outFeatures * features * coeffs);
  const b = new Float64Array(rows * outFeatures);
  for (let i = 0; i < features; i++) {
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < outFeatures; o++)
        b[r * outFeatures + o] = y[(r * features + i) * outFeatures + o];
    }
    const solution = leastSquares(
      basisMatrix(x, rows, i, grid, order),
      rows,
      coeffs,
      b,
      outFeatures,
    );
    for (let c = 0; c < coeffs; c++) {
      for (let o = 0; o < outFeatures; o++) {
        result[(o * features + i) * coeffs + c] = solution[c * outFeatures + o];
      }
    }
  }
  return result;
}

/**
 * For `update_grid`: per feature, the `coeffs × coeffs` matrix T_i = lstsq(bases_new, bases_old)
 * on `x`. efficient-kan refits `y = bases_old · W` with lstsq, and lstsq is linear in its
 * right-hand side, so its answer is exactly T_i · W_i — computed here without ever forming its
 * `[rows, in, out]` target (2.4 G floats for a GPT-2 MLP). Returns `[in, coeffs, coeffs]`.
 */
export function changeOfBasis(
  x: ArrayLike<number>,
  rows: number,
  oldGrid: KnotGrid,
  newGrid: KnotGrid,
  order: number,
): Float32Array {
  const features = oldGrid.knots.length / oldGrid.numKnots;
  const coeffs = oldGrid.numKnots - 1 - order;
  const result = new Float32Array(features * coeffs * coeffs);
  for (let i = 0; i < features; i++) {
    const before = basisMatrix(x, rows, i, oldGrid, order);
    const after = basisMatrix(x, rows, i, newGrid, order);
    result.set(leastSquares(after, rows, coeffs, before, coeffs), i * coeffs * coeffs);
  }
  return result;
}
