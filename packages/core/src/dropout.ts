import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from './custom-grad.js';
import { DROPOUT_MASK, type DropoutMaskAttrs } from './kernels/names.js';
import { Module } from './module.js';
import { runsLgptKernel } from './ops/gemm.js';
import { getDefaultRng, type Rng } from './rng.js';

/**
 * Which elements of a `shape` tensor dropout keeps: a `bool` tensor (1 byte per element), drawn
 * from the seeded `Rng` so a seeded run drops the same elements on every backend.
 */
export function dropoutMask(shape: number[], p: number, rng: Rng = getDefaultRng()): tf.Tensor {
  checkProbability(p);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(keepBits(size, p, rng), shape, 'bool');
}

/** The masks `recordDropoutMasks` collects, and those `replayDropoutMasks` hands out in order. */
let recording: Uint8Array[] | null = null;
let replaying: { masks: readonly Uint8Array[]; next: number } | null = null;

function keepBits(size: number, p: number, rng: Rng): Uint8Array {
  if (replaying) {
    const bits = replaying.masks[replaying.next++];
    if (bits?.length !== size) {
      throw new Error(
        `replayDropoutMasks: dropout draw ${replaying.next} asks for ${size} elements, the recorded forward drew ${bits === undefined ? 'no such mask' : bits.length}`,
      );
    }
    return bits;
  }
  const bits = rng.keepBits(size, p);
  recording?.push(bits);
  return bits;
}

/**
 * Runs `fn` and returns, with its result, every dropout mask it drew (1 byte per element, outside
 * tfjs memory), for `replayDropoutMasks`: gradient checkpointing recomputes a forward pass in
 * backward with the same masks, and without drawing from the generators again.
 */
export function recordDropoutMasks<T>(fn: () => T): { result: T; masks: Uint8Array[] } {
  const outer = recording;
  const masks: Uint8Array[] = [];
  recording = masks;
  try {
    return { result: fn(), masks };
  } finally {
    recording = outer;
    outer?.push(...masks);
  }
}

/** Runs `fn` with its dropout draws answered by `masks`, in order (see `recordDropoutMasks`). */
export function replayDropoutMasks<T>(masks: readonly Uint8Array[], fn: () => T): T {
  const outer = replaying;
  replaying = { masks, next: 0 };
  try {
    const result = fn();
    if (replaying.next !== masks.length) {
      throw new Error(
        `replayDropoutMasks: the forward drew ${replaying.next} dropout masks, the recorded one ${masks.length}`,
      );
    }
    return result;
  } finally {
    replaying = outer;
  }
}

/**
 * `x · mask / (1 − p)` for a keep mask from `dropoutMask`. On wasm one kernel (gemm.wat's
 * `dropout_mask`), with the same bits as the ops (a Cast and two Multiplies) elsewhere.
 */
export function applyDropoutMask(x: tf.Tensor, mask: tf.Tensor, p: number): tf.Tensor {
  const scale = 1 / (1 - p);
  if (mask.dtype === 'bool' && runsLgptKernel(DROPOUT_MASK, [x])) {
    const attrs: DropoutMaskAttrs = { scale };
    return tf.engine().runKernel(DROPOUT_MASK, { x, mask }, attrs) as tf.Tensor;
  }
  return tf.tidy(() => tf.mul(x, tf.mul(tf.cast(mask, 'float32'), scale)));
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
