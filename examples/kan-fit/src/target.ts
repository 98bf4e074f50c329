import type { Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/** The KAN paper's first example: f(x, y) = exp(sin(πx) + y²), on [-1, 1]². */
export const TARGET_FORMULA = 'exp(sin(πx) + y²)';

export function target(x: number, y: number): number {
  return Math.exp(Math.sin(Math.PI * x) + y * y);
}

export interface Samples {
  /** `[n, 2]` points in [-1, 1]². */
  inputs: tf.Tensor2D;
  /** `[n, 1]` values of the target. */
  values: tf.Tensor2D;
}

/** `n` uniform points of the square and the target there (drawn in JS: same on every backend). */
export function samples(n: number, rng: Rng): Samples {
  const points = rng.uniformArray(2 * n, -1, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = target(points[2 * i], points[2 * i + 1]);
  return { inputs: tf.tensor2d(points, [n, 2]), values: tf.tensor2d(values, [n, 1]) };
}

export function disposeSamples(s: Samples): void {
  tf.dispose([s.inputs, s.values]);
}
