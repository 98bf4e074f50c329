import type * as tf from '@tensorflow/tfjs-core';
import { getDefaultRng, type Rng } from './rng.js';

/**
 * PyTorch's initialisers, drawn from a seeded `Rng` so a seed reproduces the same weights on every
 * backend.
 */

/** `torch.nn.init.kaiming_uniform_(w, a)` with fan-in mode and leaky-ReLU gain. */
export function kaimingUniform(
  shape: number[],
  fanIn: number,
  a = Math.sqrt(5),
  rng: Rng = getDefaultRng(),
): tf.Tensor {
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
  return rng.uniform(shape, low, high);
}

/** `torch.nn.init.normal_(w, mean, std)`. */
export function normal(shape: number[], mean = 0, std = 1, rng: Rng = getDefaultRng()): tf.Tensor {
  return rng.normalTensor(shape, mean, std);
}
