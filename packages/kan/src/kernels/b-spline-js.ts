/**
 * The B-spline basis on plain arrays: the fused kernel of the `cpu` and `wasm` backends and the
 * float64 solver of `curve2coeff` both use it.
 *
 * It runs efficient-kan's Cox-de Boor recursion (`left·B[j] + right·B[j+1]`, half-open intervals
 * `[g_j, g_{j+1})`) but only over the `order + 1` bases that can be non-zero at `x`: every other
 * basis is an exact 0 in the reference too, so the result is the same with ~3× less work.
 */

/** Row-major `[features, numKnots]` knots, as efficient-kan's `grid` buffer. */
export interface KnotGrid {
  knots: ArrayLike<number>;
  numKnots: number;
}

/**
 * Evaluates the bases of order `order` that can be non-zero at `x` for feature `feature`. Returns
 * `s`, the knot interval holding `x` (`window[t]` is then basis `s - order + t`), or -1 when `x`
 * lies outside the knots (or is NaN) and every basis is 0. Bases outside `0 … numKnots-2-order`
 * do not exist in the reference and are left 0.
 */
export function basisWindow(
  x: number,
  grid: KnotGrid,
  feature: number,
  order: number,
  window: Float64Array,
): number {
  const g = grid.knots;
  const base = feature * grid.numKnots;
  const intervals = grid.numKnots - 1;
  let s = -1;
  for (let j = 0; j < intervals; j++) {
    if (x >= g[base + j] && x < g[base + j + 1]) {
      s = j;
      break;
    }
  }
  if (s < 0) return -1;
  window[0] = 1;
  for (let p = 1; p <= order; p++) {
    const last = intervals - 1 - p; // the highest basis index of order p
    // Descending t so window[t - 1] still holds order p-1 when window[t] is overwritten.
    for (let t = p; t >= 0; t--) {
      const j = s - p + t;
      if (j < 0 || j > last) {
        window[t] = 0;
        continue;
      }
      const lower = t >= 1 ? window[t - 1] : 0; // B[j][p-1]
      const upper = t <= p - 1 ? window[t] : 0; // B[j+1][p-1]
      const gj = g[base + j];
      const gj1 = g[base + j + 1];
      const gjp = g[base + j + p];
      const gjp1 = g[base + j + p + 1];
      window[t] = ((x - gj) / (gjp - gj)) * lower + ((gjp1 - x) / (gjp1 - gj1)) * upper;
    }
  }
  return s;
}

/** Where a `[rows, features, coeffs]` or `[features, coeffs, rows]` element lives. */
function strides(rows: number, features: number, coeffs: number, featuresFirst: boolean) {
  return featuresFirst
    ? { row: 1, feature: coeffs * rows, coeff: rows }
    : { row: features * coeffs, feature: coeffs, coeff: 1 };
}

/**
 * Fills `out` with the bases of every `x[row, feature]` in the requested layout (every element is
 * written, so `out` may be uninitialised memory).
 */
export function fillBases(
  x: ArrayLike<number>,
  rows: number,
  grid: KnotGrid,
  order: number,
  featuresFirst: boolean,
  out: Float32Array | Float64Array,
): void {
  const features = grid.knots.length / grid.numKnots;
  const coeffs = grid.numKnots - 1 - order;
  const st = strides(rows, features, coeffs, featuresFirst);
  const window = new Float64Array(order + 1);
  // Loop over the output's slow axis first so writes stay close together.
  const outer = featuresFirst ? features : rows;
  const inner = featuresFirst ? rows : features;
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < inner; b++) {
      const row = featuresFirst ? b : a;
      const feature = featuresFirst ? a : b;
      const at = row * st.row + feature * st.feature;
      for (let c = 0; c < coeffs; c++) out[at + c * st.coeff] = 0;
      const v = x[row * features + feature];
      if (order >= 1 && !Number.isFinite(v)) {
        // The reference's recursion meets 0 · inf here, which is NaN for every basis.
        for (let c = 0; c < coeffs; c++) out[at + c * st.coeff] = Number.NaN;
        continue;
      }
      const s = basisWindow(v, grid, feature, order, window);
      if (s < 0) continue;
      const first = Math.max(0, s - order);
      const last = Math.min(coeffs - 1, s);
      for (let c = first; c <= last; c++) out[at + c * st.coeff] = window[c - s + order];
    }
  }
}

/**
 * `dx[row, feature] = Σ_c dy[row, feature, c] · B'_c(x)`, with the derivative of the order-k
 * basis written through order k-1: `B'_c = k·(B[c][k-1] / (g[c+k] - g[c]) - B[c+1][k-1] /
 * (g[c+k+1] - g[c+1]))` — what autograd of the reference recursion computes, without its
 * intermediates.
 */
export function fillBasisGrad(
  x: ArrayLike<number>,
  rows: number,
  grid: KnotGrid,
  order: number,
  dy: ArrayLike<number>,
  featuresFirst: boolean,
  dx: Float32Array,
): void {
  const features = grid.knots.length / grid.numKnots;
  const coeffs = grid.numKnots - 1 - order;
  const st = strides(rows, features, coeffs, featuresFirst);
  const g = grid.knots;
  const window = new Float64Array(order + 1);
  for (let row = 0; row < rows; row++) {
    for (let feature = 0; feature < features; feature++) {
      const index = row * features + feature;
      const v = x[index];
      // Through the order k-1 bases, which are NaN at ±inf/NaN once k-1 >= 1 (see fillBases).
      const poisoned = order >= 2 && !Number.isFinite(v);
      dx[index] = poisoned ? Number.NaN : 0;
      if (order === 0 || poisoned) continue; // order 0 is piecewise constant
      const s = basisWindow(v, grid, feature, order - 1, window); // window[t] = B[s-k+1+t][k-1]
      if (s < 0) continue;
      const base = feature * grid.numKnots;
      const at = row * st.row + feature * st.feature;
      let sum = 0;
      for (let c = Math.max(0, s - order); c <= Math.min(coeffs - 1, s); c++) {
        const t = c - (s - order + 1);
        const lower = t >= 0 ? window[t] : 0; // B[c][k-1]
        const upper = t + 1 <= order - 1 ? window[t + 1] : 0; // B[c+1][k-1]
        const slope =
          lower / (g[base + c + order] - g[base + c]) -
          upper / (g[base + c + order + 1] - g[base + c + 1]);
        sum += dy[at + c * st.coeff] * order * slope;
      }
      dx[index] = sum;
    }
  }
}
