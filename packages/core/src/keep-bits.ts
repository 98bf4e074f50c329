import { KEEP_BITS_BASE64 } from './keep-bits-binary.js';

/**
 * Dropout keep flags by keep-bits.wat: one xoshiro128** stream drawn as four, each lane of a wasm
 * SIMD vector a quarter of the way further along. A generator's step is linear over GF(2) (its
 * 128-bit state times a matrix T), so a state `n` draws ahead is Tⁿ·s: the powers T^(2^k) are
 * computed once, and a jump of n applies those of n's set bits. The flags and the state reached
 * are those of drawing one at a time (rng.ts's `keepBits` checks this against its own loop).
 */

/** xoshiro128**'s state: four 32-bit words, s0 to s3. */
export type StateWords = [number, number, number, number];

/** One step of the state (no output), in place. */
function step(s: Uint32Array): void {
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
}

/**
 * T^(2^k) as 128 columns of 4 words (column j is the image of state bit j: word j >> 5, bit
 * j & 31), one array per k, grown as jumps need them.
 */
const powers: Uint32Array[] = [];

/** Matrix `m` (128 columns) times state `s`: the XOR of the columns of s's set bits. */
function apply(m: Uint32Array, s: Uint32Array): Uint32Array {
  const out = new Uint32Array(4);
  for (let word = 0; word < 4; word++) {
    for (let bits = s[word], bit = 0; bits !== 0; bits >>>= 1, bit++) {
      if ((bits & 1) === 0) continue;
      const at = 4 * (32 * word + bit);
      out[0] ^= m[at];
      out[1] ^= m[at + 1];
      out[2] ^= m[at + 2];
      out[3] ^= m[at + 3];
    }
  }
  return out;
}

function power(k: number): Uint32Array {
  while (powers.length <= k) {
    const m = new Uint32Array(512);
    const previous = powers[powers.length - 1];
    for (let j = 0; j < 128; j++) {
      const unit = new Uint32Array(4);
      unit[j >> 5] = 1 << (j & 31);
      let column: Uint32Array = unit;
      if (previous === undefined) step(column);
      else column = apply(previous, apply(previous, unit));
      m.set(column, 4 * j);
    }
    powers.push(m);
  }
  return powers[k];
}

/** `s` advanced `n` draws (n < 2³²). */
function jump(s: Uint32Array, n: number): Uint32Array {
  let out = s;
  for (let k = 0; n !== 0; n >>>= 1, k++) if (n & 1) out = apply(power(k), out);
  return out;
}

/** Flags drawn per wasm call: bounds the module's memory (4 MiB) whatever the mask's size. */
const CHUNK = 1 << 22;

interface KeepBitsModule {
  memory: WebAssembly.Memory;
  STATE: WebAssembly.Global;
  OUT: WebAssembly.Global;
  keep_bits(len: number, bound: number): void;
}

// Not `module`: in the CommonJS build that name is CommonJS's own module object.
let instance: KeepBitsModule | null | undefined;

/** The instantiated module, or null where WebAssembly SIMD is missing. Small: compiles at once. */
function keepBitsModule(): KeepBitsModule | null {
  if (instance !== undefined) return instance;
  instance = null;
  const bytes = Uint8Array.from(atob(KEEP_BITS_BASE64), (c) => c.charCodeAt(0));
  if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    instance = exports as unknown as KeepBitsModule;
    const pages = Math.ceil((instance.OUT.value + CHUNK) / 65536);
    instance.memory.grow(pages - instance.memory.buffer.byteLength / 65536);
  }
  return instance;
}

/**
 * Writes `out.length` keep flags (1 where the draw, as an unsigned 32-bit integer, is ≥ `bound`)
 * from state `words` and returns the state after them, or returns null where wasm SIMD is missing
 * (the caller then draws them itself). `out.length` is a multiple of 4 and at least 4.
 */
export function keepBitsSimd(words: StateWords, out: Uint8Array, bound: number): StateWords | null {
  const wasm = keepBitsModule();
  if (wasm === null) return null;
  let state: Uint32Array = Uint32Array.from(words);
  for (let start = 0; start < out.length; start += CHUNK) {
    const len = Math.min(CHUNK, out.length - start) / 4;
    const lanes: Uint32Array[] = [state];
    for (let lane = 1; lane < 4; lane++) lanes.push(jump(lanes[lane - 1], len));
    // The state block holds word w of lane i at index 4·w + i.
    const block = new Uint32Array(wasm.memory.buffer, wasm.STATE.value, 16);
    for (let lane = 0; lane < 4; lane++) {
      for (let w = 0; w < 4; w++) block[4 * w + lane] = lanes[lane][w];
    }
    wasm.keep_bits(len, bound | 0);
    out.set(new Uint8Array(wasm.memory.buffer, wasm.OUT.value, 4 * len), start);
    // Lane 3 ended 4·len draws after the chunk's start: where the next chunk begins.
    state = Uint32Array.from([block[3], block[7], block[11], block[15]]);
  }
  return [state[0], state[1], state[2], state[3]];
}
