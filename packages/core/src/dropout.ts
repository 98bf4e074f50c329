import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from './custom-grad.js';
import { Module } from './module.js';
import { getDefaultRng, type Rng } from './rng.js';

/**
 * Which elements of a `shape` tensor dropout keeps: a `bool` tensor (1 byte per element), drawn
 * from the seeded `Rng` so a seeded run drops the same elements on every backend.
 */
export function dropoutMask(shape: number[], p: number, rng: Rng = getDefaultRng()): tf.Tensor {
  checkProbability(p);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.keepBits(size, p), shape, 'bool');
}

/** `x · mask / (1 − p)` for a keep mask from `dropoutMask` (no gradient of its own). */
export function applyDropoutMask(x: tf.Tensor, mask: tf.Tensor, p: number): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.mul(tf.cast(mask, 'float32'), 1 / (1 - p))));
}

/**
 * Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1-p).
 * The mask comes from the seeded `Rng`, so a seeded run drops the same elements on every backend.
 * Its gradient keeps the 1-byte mask, not a float32 one (autodiff of `x · mask` would keep both
 * `x` and the mask).
 */
export function dropout(x: tf.Tensor, p: number, rng: Rng = getDefaultRng()): tf.Tensor {
  checkProbability(p);
  if (p === 0) return x;
  const mask = dropoutMask(x.shape, p, rng);
  const y = customGrad(([input], save) => {
    save([mask]);
    return {
      value: applyDropoutMask(input, mask, p),
      gradFunc: (dy, [keep]) => [applyDropoutMask(dy, keep, p)],
    };
  })(x);
  mask.dispose();
  return y;
}

function checkProbability(p: number): void {
  if (p < 0 || p >= 1) throw new RangeError(`dropout probability must be in [0, 1), got ${p}`);
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

  /** Whether `forward` drops anything: train mode and `p > 0`. */
  get active(): boolean {
    return this.training && this.p > 0;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.active ? dropout(x, this.p, this.rng) : x;
  }

  /**
   * The keep mask `forward` would draw next for a `shape` input (`null` when inactive), for fused
   * ops that apply dropout inside their own gradient (`applyDropoutMask`).
   */
  sampleMask(shape: number[]): tf.Tensor | null {
    return this.active ? dropoutMask(shape, this.p, this.rng) : null;
  }
}
