/**
 * Least squares in float64 JavaScript, for efficient-kan's `curve2coeff` (`torch.linalg.lstsq`).
 *
 * Why not tfjs ops: each solve is tiny (rows × coeffs per input feature, coeffs ≈ 8) and there are
 * `in` of them. tfjs's `linalg.qr` is float32 and runs one small kernel per Householder step per
 * matrix — thousands of launches — while the normal equations in float32 lose ~3 digits
 * (cond(A) ≈ 160 on the fixtures). Householder QR in float64 is exact to float32 output precision
 * and takes milliseconds.
 *
 * Like torch's default CPU driver (`gelsy`), a rank-deficient or underdetermined system (e.g. the
 * G+1 knots efficient-kan fits G+k coefficients to at init) gets the minimum-norm solution:
 * QR with column pivoting, the rank cut at `rcond · |R₀₀|`, then a second QR to find the
 * minimum-norm point of the trapezoidal system.
 */

/** torch's default `rcond` for a float32 `m × n` problem: machine epsilon · max(m, n). */
export function defaultRcond(m: number, n: number): number {
  return 1.1920928955078125e-7 * Math.max(m, n);
}

/**
 * Returns the `n × p` X minimising ‖A·X − B‖ (and ‖X‖ among minimisers). `a` is `m × n` and `b`
 * `m × p`, row-major; neither is modified.
 */
export function leastSquares(
  a: Float64Array,
  m: number,
  n: number,
  b: Float64Array,
  p: number,
  rcond = defaultRcond(m, n),
): Float64Array {
  const r = Float64Array.from(a);
  const qtb = Float64Array.from(b);
  const perm = Int32Array.from({ length: n }, (_, j) => j);
  const steps = Math.min(m, n);
  let rank = 0;
  let r00 = 0;
  for (let j = 0; j < steps; j++) {
    const pivot = largestColumn(r, m, n, j);
    swapColumns(r, m, n, j, pivot);
    [perm[j], perm[pivot]] = [perm[pivot], perm[j]];
    const v = householder(r, m, n, j, j);
    if (j === 0) r00 = Math.abs(r[0]);
    if (Math.abs(r[j * n + j]) <= rcond * r00 || r00 === 0) break;
    applyReflector(v, r, n, j, j + 1, n);
    applyReflector(v, qtb, p, j, 0, p);
    rank++;
  }
  // Minimum-norm y with T·y = c, T = R[0:rank, :] (upper trapezoidal), c = (QᵀB)[0:rank]:
  // Tᵀ = Q₂·S gives y = Q₂·[S⁻ᵀ·c; 0].
  const t = new Float64Array(n * rank); // Tᵀ, n × rank
  for (let i = 0; i < rank; i++) for (let j = i; j < n; j++) t[j * rank + i] = r[i * n + j];
  const reflectors: Float64Array[] = [];
  for (let j = 0; j < rank; j++) {
    const v = householder(t, n, rank, j, j);
    applyReflector(v, t, rank, j, j + 1, rank);
    reflectors.push(v);
  }
  const y = new Float64Array(n * p);
  // Forward substitution Sᵀ·z = c, rows of p right-hand sides at a time (contiguous in memory).
  for (let i = 0; i < rank; i++) {
    const zi = y.subarray(i * p, (i + 1) * p);
    zi.set(qtb.subarray(i * p, (i + 1) * p));
    for (let k = 0; k < i; k++) {
      const s = t[k * rank + i];
      if (s === 0) continue;
      for (let col = 0; col < p; col++) zi[col] -= s * y[k * p + col];
    }
    const diagonal = t[i * rank + i];
    for (let col = 0; col < p; col++) zi[col] /= diagonal;
  }
  for (let j = rank - 1; j >= 0; j--) applyReflector(reflectors[j], y, p, j, 0, p);
  const x = new Float64Array(n * p);
  for (let j = 0; j < n; j++) x.set(y.subarray(j * p, (j + 1) * p), perm[j] * p);
  return x;
}

/** Index of the column (≥ `from`) with the largest norm over rows ≥ `from`. */
function largestColumn(r: Float64Array, m: number, n: number, from: number): number {
  let best = from;
  let bestNorm = -1;
  for (let j = from; j < n; j++) {
    let norm = 0;
    for (let i = from; i < m; i++) norm += r[i * n + j] ** 2;
    if (norm > bestNorm) {
      bestNorm = norm;
      best = j;
    }
  }
  return best;
}

function swapColumns(r: Float64Array, m: number, n: number, a: number, b: number): void {
  if (a === b) return;
  for (let i = 0; i < m; i++) [r[i * n + a], r[i * n + b]] = [r[i * n + b], r[i * n + a]];
}

/**
 * Turns column `col` of the `rows × cols` matrix `r` below row `row` into (β, 0, …, 0) and returns
 * the unit Householder vector v (rows ≥ `row`) with (I − 2vvᵀ)·column = that.
 */
function householder(
  r: Float64Array,
  rows: number,
  cols: number,
  row: number,
  col: number,
): Float64Array {
  const v = new Float64Array(rows);
  let norm = 0;
  for (let i = row; i < rows; i++) norm += r[i * cols + col] ** 2;
  norm = Math.sqrt(norm);
  const head = r[row * cols + col];
  const beta = head > 0 ? -norm : norm;
  if (norm === 0) return v; // nothing to reflect: v = 0 is the identity
  v[row] = head - beta;
  for (let i = row + 1; i < rows; i++) v[i] = r[i * cols + col];
  let vNorm = 0;
  for (let i = row; i < rows; i++) vNorm += v[i] ** 2;
  vNorm = Math.sqrt(vNorm);
  for (let i = row; i < rows; i++) v[i] /= vNorm;
  r[row * cols + col] = beta;
  for (let i = row + 1; i < rows; i++) r[i * cols + col] = 0;
  return v;
}

/**
 * target ← (I − 2vvᵀ)·target on columns [from, to), v non-zero from row `row` on. Row by row, so
 * memory is read in order even with thousands of columns (curve2coeff's `out` right-hand sides).
 */
function applyReflector(
  v: Float64Array,
  target: Float64Array,
  cols: number,
  row: number,
  from: number,
  to: number,
): void {
  const rows = v.length;
  const dots = new Float64Array(to - from);
  for (let i = row; i < rows; i++) {
    const vi = v[i];
    if (vi === 0) continue;
    const at = i * cols + from;
    for (let c = 0; c < dots.length; c++) dots[c] += vi * target[at + c];
  }
  for (let i = row; i < rows; i++) {
    const vi = 2 * v[i];
    if (vi === 0) continue;
    const at = i * cols + from;
    for (let c = 0; c < dots.length; c++) target[at + c] -= vi * dots[c];
  }
}
