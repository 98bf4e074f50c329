import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { getDefaultRng, type Rng } from './rng.js';

/**
 * Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1-p).
 * The mask comes from the seeded `Rng`, so a seeded run drops the same elements on every backend.
 */
export function dropout(x: tf.Tensor, p: number, rng: Rng = getDefaultRng()): tf.Tensor {
  if (p < 0 || p >= 1) throw new RangeError(`dropout probability must be in [0, 1), got ${p}`);
  if (p === 0) return x;
  const scale = 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.random() >= p ? scale : 0;
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
}

/** PyTorch's `nn.Dropout`: active only in train mode. */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    private readonly rng: Rng = getDefaultRng(),
  ) {
    super();
    if (p < 0 || p >= 1) throw new RangeError(`Dropout p must be in [0, 1), got ${p}`);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.training ? dropout(x, this.p, this.rng) : x;
  }
}
