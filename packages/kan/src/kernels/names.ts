/**
 * Names and attributes of the fused B-spline kernels, shared by the op, the per-backend kernels
 * and the gradient. Prefixed so they can never collide with a tfjs kernel.
 */
export const B_SPLINE_BASIS = 'LgptBSplineBasis';
export const B_SPLINE_BASIS_GRAD = 'LgptBSplineBasisGrad';

/**
 * Layout of the bases (and of their gradient `dy`): `'rows'` is efficient-kan's
 * `[rows, in, coeffs]`; `'features'` is `[in, coeffs, rows]`, the layout the spline matmul wants
 * as its right operand, written directly so no transpose of the bases is ever needed.
 */
export type BasisLayout = 'rows' | 'features';

export interface BSplineBasisAttrs {
  splineOrder: number;
  layout: BasisLayout;
  // tfjs attribute maps are string-indexed.
  [key: string]: number | string;
}

/** Output shape of the basis kernel for `x` `[rows, in]` and `grid` `[in, numKnots]`. */
export function basisShape(
  xShape: readonly number[],
  gridShape: readonly number[],
  splineOrder: number,
  layout: BasisLayout,
): [number, number, number] {
  const [rows, features] = xShape;
  const coeffs = gridShape[1] - 1 - splineOrder;
  return layout === 'features' ? [features, coeffs, rows] : [rows, features, coeffs];
}
