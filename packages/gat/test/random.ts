import { Rng } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Seeded test data (same numbers on every backend). */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  return new Rng(seed).normalTensor(shape, 0, scale);
}

/** A seeded random directed graph without self loops: `[sources, targets]`. */
export function randomEdges(n: number, density: number, seed: number): [number[], number[]] {
  const rng = new Rng(seed);
  const sources: number[] = [];
  const targets: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      if (i !== j && rng.random() < density) {
        sources.push(j);
        targets.push(i);
      }
    }
  }
  return [sources, targets];
}
