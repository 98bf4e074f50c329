import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { uniformGrid } from '../src/grid.js';
import {
  B_SPLINE_BASIS,
  B_SPLINE_BASIS_GRAD,
  bSplineBasis,
  bSplineBasisGrad,
  hasFusedKernel,
} from '../src/index.js';

const ROWS = 37;
const FEATURES = 5;
const GRID_SIZE = 6;

/** Knots that are uneven per feature (as after update_grid), starting from a uniform grid. */
function unevenGrid(order: number, rng: Rng): tf.Tensor2D {
  const numKnots = GRID_SIZE + 2 * order + 1;
  const grid = uniformGrid(FEATURES, GRID_SIZE, order, [-1, 1]);
  for (let i = 0; i < FEATURES; i++) {
    let knot = -1.5 - rng.random();
    for (let j = 0; j < numKnots; j++) {
      knot += 0.1 + rng.random() * 0.5;
      grid[i * numKnots + j] = knot;
    }
  }
  return tf.tensor2d(grid, [FEATURES, numKnots]);
}

/** Inside, on and beyond the knots, plus exact knot values. */
function inputs(grid: tf.Tensor2D, rng: Rng): Promise<tf.Tensor2D> {
  return grid.data().then((knots) => {
    const numKnots = grid.shape[1];
    const x = rng.uniformArray(ROWS * FEATURES, -3, 3);
    for (let i = 0; i < FEATURES; i++) {
      x[i] = knots[i * numKnots]; // first knot
      x[FEATURES + i] = knots[i * numKnots + numKnots - 1]; // last knot: all bases 0
      x[2 * FEATURES + i] = knots[i * numKnots + 3]; // interior knot
    }
    return tf.tensor2d(x, [ROWS, FEATURES]);
  });
}

describeBackends('fused B-spline kernel', (backend) => {
  it('is registered (forward and gradient) for this backend', () => {
    expect(hasFusedKernel(B_SPLINE_BASIS)).toBe(true);
    expect(hasFusedKernel(B_SPLINE_BASIS_GRAD)).toBe(true);
    expect(tf.getBackend()).toBe(backend);
  });

  for (const order of [0, 1, 2, 3, 4]) {
    for (const layout of ['rows', 'features'] as const) {
      it(`equals the composite, forward and gradient (order ${order}, layout ${layout})`, async () => {
        const rng = new Rng(100 + order);
        const grid = unevenGrid(order, rng);
        const x = await inputs(grid, rng);
        const coeffs = GRID_SIZE + order;
        const dyShape = layout === 'rows' ? [ROWS, FEATURES, coeffs] : [FEATURES, coeffs, ROWS];
        const dy = tf.tensor(rng.uniformArray(ROWS * FEATURES * coeffs, -1, 1), dyShape);
        const run = (fused: boolean) =>
          tf.tidy(() => {
            const f = (v: tf.Tensor) =>
              tf.sum(tf.mul(bSplineBasis(v, grid, order, { layout, fused }), dy));
            return { bases: bSplineBasis(x, grid, order, { layout, fused }), dx: tf.grad(f)(x) };
          });
        const fused = await expectNoLeaks(() => run(true), 'fused');
        const composite = run(false);
        await expectClose(fused.bases, composite.bases, { atol: 1e-6, label: 'bases' });
        await expectClose(fused.dx, composite.dx, { atol: 1e-5, rtol: 1e-5, label: 'dx' });
        const direct = bSplineBasisGrad(x, grid, dy as tf.Tensor3D, order, { layout });
        await expectClose(direct, composite.dx, {
          atol: 1e-5,
          rtol: 1e-5,
          label: 'bSplineBasisGrad',
        });
        tf.dispose([grid, x, dy, fused, composite, direct]);
      });
    }
  }

  it('gives NaN for non-finite inputs like the composite (order >= 1)', async () => {
    const rng = new Rng(7);
    const order = 3;
    const grid = unevenGrid(order, rng);
    const row = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, 100];
    const x = tf.tensor2d([row], [1, FEATURES]);
    const dy = tf.onesLike(bSplineBasis(x, grid, order));
    for (const fused of [true, false]) {
      const bases = bSplineBasis(x, grid, order, { fused });
      const dx = bSplineBasisGrad(x, grid, dy as tf.Tensor3D, order, { fused });
      const b = await bases.data();
      const coeffs = GRID_SIZE + order;
      for (let i = 0; i < 3; i++) {
        expect(Array.from(b.subarray(i * coeffs, (i + 1) * coeffs)).every(Number.isNaN)).toBe(true);
      }
      expect(Array.from(b.subarray(4 * coeffs)).every((v) => v === 0)).toBe(true); // far outside
      const d = await dx.data();
      expect([0, 1, 2].every((i) => Number.isNaN(d[i]))).toBe(true);
      expect(d[4]).toBe(0);
      tf.dispose([bases, dx]);
    }
    tf.dispose([grid, x, dy]);
  });

  it('rejects a grid with too few knots and a mismatched x, naming the shapes', () => {
    const grid = tf.zeros([3, 4]);
    expect(() => bSplineBasis(tf.zeros([2, 3]), grid, 3)).toThrow(/at least 5 knots.*grid has 4/);
    expect(() => bSplineBasis(tf.zeros([2, 4]), grid, 1)).toThrow(/\[2,4\].*\[3,4\]/);
    grid.dispose();
  });
});
