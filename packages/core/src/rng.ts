import * as tf from '@tensorflow/tfjs-core';
import { keepBitsSimd } from './keep-bits.js';

/**
 * Masks from this many flags are drawn by keep-bits.wat: below it, its jumps ahead (~50 µs)
 * outweigh what it saves.
 */
const SIMD_KEEP_BITS_MIN = 1 << 16;

/**
 * Where a generator is in its stream (`Rng.getState()`): xoshiro128**'s four 32-bit words and the
 * cached second Box-Muller normal. Plain JSON, so a checkpoint can hold it.
 */
export interface RngState {
  words: [number, number, number, number];
  spareNormal: number | null;
}

/**
 * A small seeded generator (xoshiro128**, seeded through splitmix32). Random tensors are drawn in
 * JavaScript and uploaded, so a given seed gives the same numbers on every backend — tfjs's own
 * random kernels differ between backends.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed: number = Date.now()) {
    this.seed(seed);
  }

  /** Resets the state, like `torch.manual_seed`. */
  seed(seed: number): void {
    let x = seed >>> 0;
    const splitmix = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
    this.spareNormal = null;
  }

  /** Where the stream is, like `torch.Generator.get_state()`: `setState` continues from here. */
  getState(): RngState {
    return {
      words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spareNormal: this.spareNormal,
    };
  }

  /** Continues the stream from a `getState()` (e.g. read back from a checkpoint's JSON). */
  setState(state: RngState): void {
    const words = state?.words;
    if (
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)
    ) {
      throw new RangeError(
        `Rng state: words must be four integers in [0, 2³²); got ${JSON.stringify(words)}`,
      );
    }
    // xoshiro's all-zero state only ever yields zeros; seed() never produces it.
    if (words.every((w) => w === 0)) throw new RangeError('Rng state: words are all zero');
    const spare = state.spareNormal;
    if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
      throw new RangeError(
        `Rng state: spareNormal must be a finite number or null; got ${JSON.stringify(spare)}`,
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = words;
    this.spareNormal = spare;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * Dropout keep flags: element i is 1 when a draw `random()` is `>= p`, else 0 — the same draws
   * and decisions as calling `random()` per element. The dropout masks of a GPT-2 training step
   * take ~10⁸ draws: large masks are drawn four streams at a time in wasm SIMD (keep-bits.ts,
   * ~5× faster), the rest in one loop on local state (~6× faster than calling `random()`).
   */
  keepBits(size: number, p: number): Uint8Array {
    const out = new Uint8Array(size);
    // random() >= p  ⇔  u32 / 2³² >= p  ⇔  u32 >= ⌈p · 2³²⌉ (exact in float64).
    const bound = Math.ceil(p * 4294967296);
    if (bound > 0xffffffff) {
      // p within 2⁻³² of 1: no draw keeps; draw them all the same, so the stream moves on.
      this.keepBitsFrom(out, 0, 0xffffffff);
      return out.fill(0);
    }
    let start = 0;
    if (size >= SIMD_KEEP_BITS_MIN) {
      const simd = size - (size % 4);
      const words = keepBitsSimd(this.getState().words, out.subarray(0, simd), bound);
      if (words !== null) {
        [this.s0, this.s1, this.s2, this.s3] = words;
        start = simd;
      }
    }
    this.keepBitsFrom(out, start, bound);
    return out;
  }

  /** `keepBits`'s loop for `out[start…]`, on local state. */
  private keepBitsFrom(out: Uint8Array, start: number, bound: number): void {
    // Compared as int32s with the sign bit flipped, so the loop stays in small-integer arithmetic.
    const flipped = (bound ^ 0x80000000) | 0;
    let { s0, s1, s2, s3 } = this;
    for (let i = start; i < out.length; i++) {
      const draw = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      out[i] = (draw ^ 0x80000000) >= flipped ? 1 : 0;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** A float in [0, 1). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A standard normal sample (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A new generator whose stream is independent of this one's later draws. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }

  uniformArray(size: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(size);
    const span = high - low;
    for (let i = 0; i < size; i++) out[i] = low + span * this.random();
    return out;
  }

  normalArray(size: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = mean + std * this.normal();
    return out;
  }

  uniform(shape: number[], low = 0, high = 1): tf.Tensor {
    return tf.tensor(this.uniformArray(sizeOf(shape), low, high), shape, 'float32');
  }

  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(sizeOf(shape), mean, std), shape, 'float32');
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const defaultRng = new Rng(0x5eed);

/** The generator modules use when none is passed. */
export function getDefaultRng(): Rng {
  return defaultRng;
}

/** Seeds the default generator, like `torch.manual_seed(seed)`. */
export function manualSeed(seed: number): Rng {
  defaultRng.seed(seed);
  return defaultRng;
}
