import { Rng } from '@lgpt/core';
import { describe, expect, it } from 'vitest';
import { leastSquares } from '../src/lstsq.js';

function matMul(a: Float64Array, m: number, n: number, b: Float64Array, p: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < n; k++)
      for (let j = 0; j < p; j++) out[i * p + j] += a[i * n + k] * b[k * p + j];
  return out;
}

function random(rng: Rng, size: number): Float64Array {
  return Float64Array.from({ length: size }, () => rng.normal());
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('float64 least squares (curve2coeff solver)', () => {
  it('recovers X from B = A·X when A has full column rank', () => {
    const rng = new Rng(1);
    const [m, n, p] = [30, 8, 5];
    const a = random(rng, m * n);
    const x = random(rng, n * p);
    expect(maxDiff(leastSquares(a, m, n, matMul(a, m, n, x, p), p), x)).toBeLessThan(1e-12);
  });

  it('gives residuals orthogonal to range(A) for an inconsistent system', () => {
    const rng = new Rng(2);
    const [m, n] = [25, 6];
    const a = random(rng, m * n);
    const b = random(rng, m);
    const x = leastSquares(a, m, n, b, 1);
    const residual = matMul(a, m, n, x, 1).map((v, i) => v - b[i]);
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += a[i * n + j] * residual[i];
      expect(Math.abs(dot)).toBeLessThan(1e-12);
    }
  });

  it('returns the minimum-norm solution of an underdetermined system (as init fits G+1 points)', () => {
    const rng = new Rng(3);
    const [m, n] = [4, 7];
    const a = random(rng, m * n);
    const b = random(rng, m);
    const x = leastSquares(a, m, n, b, 1);
    expect(maxDiff(matMul(a, m, n, x, 1), b)).toBeLessThan(1e-12);
    // Minimum norm ⇔ x lies in the row space of A: x = Aᵀ·y with y = (A·Aᵀ)⁻¹·b.
    const at = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
    const y = leastSquares(matMul(a, m, n, at, m), m, m, b, 1);
    expect(maxDiff(x, matMul(at, n, m, y, 1))).toBeLessThan(1e-10);
  });

  it('handles a rank-deficient A (duplicated column) with the minimum-norm answer', () => {
    const rng = new Rng(4);
    const [m, n] = [12, 3];
    const a = random(rng, m * n);
    for (let i = 0; i < m; i++) a[i * n + 2] = a[i * n + 1]; // column 2 = column 1
    const truth = Float64Array.from([0.5, 1, 1]); // min-norm split of weight 2 over the twins
    const x = leastSquares(a, m, n, matMul(a, m, n, truth, 1), 1);
    expect(maxDiff(x, truth)).toBeLessThan(1e-10);
  });

  it('returns zeros for a zero matrix', () => {
    const x = leastSquares(new Float64Array(6), 3, 2, Float64Array.from([1, 2, 3]), 1);
    expect(Array.from(x)).toEqual([0, 0]);
  });
});
