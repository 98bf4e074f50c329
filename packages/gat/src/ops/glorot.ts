import { getDefaultRng, type Rng, uniform } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';

/** PyG's `inits.glorot`: U(±√(6 / (size(-2) + size(-1)))) over the last two axes. */
export function glorot(shape: number[], rng: Rng = getDefaultRng()): tf.Tensor {
  const bound = Math.sqrt(6 / (shape[shape.length - 2] + shape[shape.length - 1]));
  return uniform(shape, -bound, bound, rng);
}
