import * as tf from '@tensorflow/tfjs-core';
import { getDefaultRng, type Rng } from './rng.js';

/**
 * PyTorch's initialisers, drawn from a seeded `Rng` so a seed reproduces the same weights on every
 * backend. Inside `withoutInit` they return zeros instead.
 */

let skipping = 0;

/**
 * Builds modules without drawing random initial values (every initialiser returns zeros), for a
 * model whose weights a checkpoint is about to overwrite — like transformers' fast init. Drawing
 * GPT-2 large's 774M values would take half a minute.
 */
export function withoutInit<T>(build: () => T): T {
  skipping++;
  try {
    return build();
  } finally {
    skipping--;
  }
}

function zerosIfSkipping(shape: number[]): tf.Tensor | null {
  return skipping > 0 ? tf.zeros(shape) : null;
}

/** `torch.nn.init.kaiming_uniform_(w, a)` with fan-in mode and leaky-ReLU gain. */
export function kaimingUniform(
  shape: number[],
  fanIn: number,
  a = Math.sqrt(5),
  rng: Rng = getDefaultRng(),
): tf.Tensor {
  const skipped = zerosIfSkipping(shape);
  if (skipped) return skipped;
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fanIn));
  return rng.uniform(shape, -bound, bound);
}

/** `torch.nn.init.uniform_(w, low, high)`. */
export function uniform(
  shape: number[],
  low: number,
  high: number,
  rng: Rng = getDefaultRng(),
): tf.Tensor {
  return zerosIfSkipping(shape) ?? rng.uniform(shape, low, high);
}

/** `torch.nn.init.normal_(w, mean, std)`. */
export function normal(shape: number[], mean = 0, std = 1, rng: Rng = getDefaultRng()): tf.Tensor {
  return zerosIfSkipping(shape) ?? rng.normalTensor(shape, mean, std);
}

/**
 * PyG's `inits.glorot` (`torch.nn.init.xavier_uniform_`): U(±√(6 / (fanIn + fanOut))), the fans
 * being the last two axes.
 */
export function glorot(shape: number[], rng: Rng = getDefaultRng()): tf.Tensor {
  const bound = Math.sqrt(6 / (shape[shape.length - 2] + shape[shape.length - 1]));
  return uniform(shape, -bound, bound, rng);
}
