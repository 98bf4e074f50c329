import type * as tf from '@tensorflow/tfjs-core';

/** Bytes per element of every dtype this package reads. */
export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** Dtypes `writeSafetensors` can produce. */
export type WritableDtype = 'F32' | 'F16' | 'I32' | 'BOOL';

export function isKnownDtype(dtype: string): dtype is SafetensorsDtype {
  return Object.hasOwn(DTYPE_BYTES, dtype);
}

export interface DecodedValues {
  values: Int32Array | Uint8Array;
  dtype: tf.DataType;
}

/** Stored dtypes converted in one piece (floats and I32 stream: see `safetensors/read.ts`). */
export type WholeDtype = 'I64' | 'I16' | 'I8' | 'U8' | 'BOOL';

/**
 * Converts little-endian raw bytes of integers to the values of a tfjs tensor: int32 (an I64
 * value outside int32 range is an error, never a silent wrap), BOOL bool. `bytes` must start on
 * an 8-byte aligned offset of its buffer (a fresh read buffer is).
 */
export function decodeIntegers(dtype: WholeDtype, bytes: Uint8Array, label: string): DecodedValues {
  const count = bytes.byteLength / DTYPE_BYTES[dtype];
  const { buffer, byteOffset } = bytes;
  switch (dtype) {
    case 'I64': {
      const wide = new BigInt64Array(buffer, byteOffset, count);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = wide[i];
        if (v > 2147483647n || v < -2147483648n) {
          throw new RangeError(`${label}: I64 value ${v} at index ${i} does not fit in int32`);
        }
        out[i] = Number(v);
      }
      return { values: out, dtype: 'int32' };
    }
    case 'I16':
      return { values: Int32Array.from(new Int16Array(buffer, byteOffset, count)), dtype: 'int32' };
    case 'I8':
      return { values: Int32Array.from(new Int8Array(buffer, byteOffset, count)), dtype: 'int32' };
    case 'U8':
      return { values: Int32Array.from(bytes), dtype: 'int32' };
    case 'BOOL':
      return { values: Uint8Array.from(bytes, (b) => (b ? 1 : 0)), dtype: 'bool' };
  }
}

/** Encodes tensor values as little-endian bytes of `dtype`. */
export function encodeValues(
  values: Float32Array | Int32Array | Uint8Array,
  dtype: WritableDtype,
): Uint8Array {
  switch (dtype) {
    case 'F32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'F16': {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
      return new Uint8Array(out.buffer);
    }
    case 'I32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'BOOL':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half → float (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** float → IEEE half, round to nearest even (as `torch.Tensor.half()`). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    const rounded = rest > midpoint || (rest === midpoint && half & 1) ? half + 1 : half;
    return sign | rounded;
  }
  const rest = mantissa & 0x1fff;
  let half = (e << 10) | (mantissa >>> 13);
  // A carry out of the mantissa bumps the exponent, and past the largest finite it lands on
  // exactly 0x7c00 (infinity), as IEEE rounding requires.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half += 1;
  return sign | half;
}
