/**
 * Knot grids, computed in JavaScript with float32 rounding after every operation (`Math.fround`)
 * in efficient-kan's order of operations, so they match the reference's float32 tensors.
 */
const f = Math.fround;

/**
 * efficient-kan's initial grid: `arange(-k, G + k + 1) · h + lo` with `h = (hi - lo) / G`, the
 * same row for every feature. Returns `[in, G + 2k + 1]` row-major.
 */
export function uniformGrid(
  inFeatures: number,
  gridSize: number,
  splineOrder: number,
  range: readonly [number, number],
): Float32Array {
  const [lo, hi] = range;
  const h = f((hi - lo) / gridSize); // a Python float, cast to float32 by the tensor op
  const knots = gridSize + 2 * splineOrder + 1;
  const row = new Float32Array(knots);
  for (let j = 0; j < knots; j++) row[j] = f(f(f(j - splineOrder) * h) + f(lo));
  const grid = new Float32Array(inFeatures * knots);
  for (let i = 0; i < inFeatures; i++) grid.set(row, i * knots);
  return grid;
}

/**
 * The knots `update_grid` fits to a batch: per feature, a blend (`gridEps`) of a uniform grid over
 * the data range (± margin) and the data's quantiles, extended by `splineOrder` uniform steps on
 * each side. `x` is `[rows, in]` row-major; returns `[in, G + 2k + 1]`.
 */
export function adaptiveGrid(
  x: ArrayLike<number>,
  rows: number,
  inFeatures: number,
  gridSize: number,
  splineOrder: number,
  gridEps: number,
  margin: number,
): Float32Array {
  const knots = gridSize + 2 * splineOrder + 1;
  const grid = new Float32Array(inFeatures * knots);
  const picks = quantileIndices(rows, gridSize + 1);
  const column = new Float32Array(rows);
  for (let i = 0; i < inFeatures; i++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * inFeatures + i];
    column.sort(); // typed-array sort is numeric
    const first = column[0];
    const step = f(f(f(column[rows - 1] - first) + f(2 * margin)) / gridSize);
    const at = i * knots;
    for (let g = 0; g <= gridSize; g++) {
      const uniform = f(f(f(g * step) + first) - f(margin));
      const adaptive = column[picks[g]];
      grid[at + splineOrder + g] = f(f(f(gridEps) * uniform) + f(f(1 - gridEps) * adaptive));
    }
    const low = grid[at + splineOrder];
    const high = grid[at + splineOrder + gridSize];
    for (let o = 1; o <= splineOrder; o++) {
      grid[at + splineOrder - o] = f(low - f(step * o));
      grid[at + splineOrder + gridSize + o] = f(high + f(step * o));
    }
  }
  return grid;
}

/**
 * `torch.linspace(0, rows - 1, count, dtype=int64)` as PyTorch 1.13's CPU kernel computes it: a
 * float64 step, the first half counted from the start and the second from the end, truncated; but
 * in whole blocks of 8 the vectorised path (4 int64 lanes) truncates each lane group's first
 * value and adds lane·step to it. Checked against torch for every rows < 400, count < 70.
 */
export function quantileIndices(rows: number, count: number): Int32Array {
  const out = new Int32Array(count);
  if (count === 1) return out;
  const end = rows - 1;
  const step = end / (count - 1);
  const halfway = Math.floor(count / 2);
  const scalar = (i: number) => (i < halfway ? step * i : end - step * (count - i - 1));
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    for (const group of [i, i + 4]) {
      const base = Math.trunc(scalar(group));
      for (let lane = 0; lane < 4; lane++) out[group + lane] = Math.trunc(base + lane * step);
    }
  }
  for (; i < count; i++) out[i] = Math.trunc(scalar(i));
  return out;
}
