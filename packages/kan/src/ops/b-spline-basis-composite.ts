import { slice } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { BasisLayout } from '../kernels/names.js';

/**
 * The B-spline basis from tfjs ops: efficient-kan's `b_splines` recursion, for backends with no
 * fused kernel. Returns `[rows, in, coeffs]` (or `[in, coeffs, rows]` for the features layout).
 *
 * Computed knot-major (`[knots, rows, in]`) so every slice of the recursion is a contiguous copy,
 * from one broadcast difference `x - g` whose slices give both numerators (`g - x` is `-(x - g)`
 * exactly, so dividing by the negated denominator is bit-identical to the reference's
 * `(g - x) / (g' - g'')`); comparisons are against 0. On wasm this is ~3× faster than comparing
 * against the broadcast grid and slicing the last axis.
 */
export function bSplineBasisComposite(
  x: tf.Tensor2D,
  grid: tf.Tensor2D,
  order: number,
  layout: BasisLayout = 'rows',
): tf.Tensor3D {
  return tf.tidy(() => {
    const bases = knotMajorBases(x, grid, order);
    // tfjs-webgpu 4.22 keeps a cast bool (the order-0 bases) in its int buffer, which its Transpose
    // program then fails to compile for; an arithmetic op first writes real floats.
    const floats = order === 0 ? tf.mul(bases, 1) : bases;
    return tf.transpose(floats, layout === 'rows' ? [1, 2, 0] : [2, 0, 1]) as tf.Tensor3D;
  });
}

/**
 * `dx = Σ_c dy[…, c] · B'_c(x)` from tfjs ops, with the derivative written through the order k-1
 * bases (`k·(B[c][k-1]/(g[c+k]-g[c]) - B[c+1][k-1]/(g[c+k+1]-g[c+1]))`): what autograd of the
 * recursion gives, without keeping its intermediates alive until the backward pass.
 */
export function bSplineBasisGradComposite(
  x: tf.Tensor2D,
  grid: tf.Tensor2D,
  dy: tf.Tensor3D,
  order: number,
  layout: BasisLayout = 'rows',
): tf.Tensor2D {
  return tf.tidy(() => {
    if (order === 0) return tf.zerosLike(x); // piecewise constant
    const dyKnotMajor = tf.transpose(dy, layout === 'rows' ? [2, 0, 1] : [1, 2, 0]);
    const lower = knotMajorBases(x, grid, order - 1); // [coeffs + 1, rows, in]
    const coeffs = lower.shape[0] - 1;
    const g = knotMajorGrid(grid);
    const left = tf.div(
      sliceKnots(lower, 0, coeffs),
      tf.sub(sliceKnots(g, order, coeffs), sliceKnots(g, 0, coeffs)),
    );
    const right = tf.div(
      sliceKnots(lower, 1, coeffs),
      tf.sub(sliceKnots(g, order + 1, coeffs), sliceKnots(g, 1, coeffs)),
    );
    return tf.sum(tf.mul(dyKnotMajor, tf.mul(tf.sub(left, right), order)), 0) as tf.Tensor2D;
  });
}

/** Bases of order `order`, knot-major: `[numKnots - 1 - order, rows, in]`. */
function knotMajorBases(x: tf.Tensor2D, grid: tf.Tensor2D, order: number): tf.Tensor3D {
  const g = knotMajorGrid(grid); // [knots, 1, in]
  const intervals = g.shape[0] - 1;
  const d = tf.sub(tf.expandDims(x, 0), g); // x - g_j, [knots, rows, in]
  let bases: tf.Tensor = tf.tidy(() =>
    tf.cast(
      tf.logicalAnd(
        tf.greaterEqual(sliceKnots(d, 0, intervals), 0),
        tf.less(sliceKnots(d, 1, intervals), 0),
      ),
      'float32',
    ),
  );
  for (let p = 1; p <= order; p++) {
    const n = intervals - p; // bases of order p
    // (x - g_j) / (g_{j+p} - g_j) and (g_{j+p+1} - x) / (g_{j+p+1} - g_{j+1})
    const previous = bases;
    // One level per tidy, so the level's temporaries are freed before the next one's exist.
    bases = tf.tidy(() => {
      const left = tf.div(sliceKnots(d, 0, n), tf.sub(sliceKnots(g, p, n), sliceKnots(g, 0, n)));
      const right = tf.div(
        sliceKnots(d, p + 1, n),
        tf.sub(sliceKnots(g, 1, n), sliceKnots(g, p + 1, n)),
      );
      return tf.add(
        tf.mul(left, sliceKnots(previous, 0, n)),
        tf.mul(right, sliceKnots(previous, 1, n)),
      );
    });
    previous.dispose();
  }
  return bases as tf.Tensor3D;
}

/** `[in, knots]` → `[knots, 1, in]`, broadcastable against `[1, rows, in]`. */
function knotMajorGrid(grid: tf.Tensor2D): tf.Tensor3D {
  return tf.expandDims(tf.transpose(grid), 1) as tf.Tensor3D;
}

/** `t[begin : begin + size]` along the leading (knot) axis: a contiguous copy. */
function sliceKnots<T extends tf.Tensor>(t: T, begin: number, size: number): T {
  return slice(t, [begin, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1)]) as T;
}
