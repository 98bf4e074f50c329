import type { PieceWriter } from './byte-source.js';
import { halfToFloat } from './dtypes.js';

/** Stored floats that tfjs holds as float32: decoded piece by piece while they stream. */
export type WidenedDtype = 'F16' | 'BF16' | 'F64';

const ELEMENT_BYTES: Record<WidenedDtype, number> = { F16: 2, BF16: 2, F64: 8 };

/** Decodes the element at `offset` of `view` into index `i` of the float32 output (as floats or bits). */
type ElementDecoder = (
  view: DataView,
  offset: number,
  floats: Float32Array,
  bits: Uint32Array,
  i: number,
) => void;

const DECODERS: Record<WidenedDtype, ElementDecoder> = {
  F16: (view, offset, floats, _bits, i) => {
    floats[i] = halfToFloat(view.getUint16(offset, true));
  },
  // BF16 is the top half of a float32: its bits are placed, never rounded through a number.
  BF16: (view, offset, _floats, bits, i) => {
    bits[i] = view.getUint16(offset, true) << 16;
  },
  F64: (view, offset, floats, _bits, i) => {
    floats[i] = view.getFloat64(offset, true);
  },
};

/**
 * A `PieceWriter` taking the stored bytes of `dtype` and handing `write` the float32 bytes they
 * decode to, at the float32 offsets: so F16, BF16 and F64 tensors stream into place as F32 ones do,
 * never held whole in either form. Pieces arrive in order and may end inside an element: its first
 * bytes wait for the next piece.
 */
export function widenFloats(dtype: WidenedDtype, write: PieceWriter): PieceWriter {
  const size = ELEMENT_BYTES[dtype];
  const decode = DECODERS[dtype];
  const pending = new Uint8Array(size);
  const pendingView = new DataView(pending.buffer);
  let pendingBytes = 0;
  let next = 0;
  let floats = new Float32Array(0);
  let bits = new Uint32Array(0);
  return (piece) => {
    const count = Math.floor((pendingBytes + piece.byteLength) / size);
    if (floats.length < count) {
      floats = new Float32Array(count);
      bits = new Uint32Array(floats.buffer);
    }
    let n = 0;
    let start = 0;
    if (pendingBytes > 0) {
      start = Math.min(size - pendingBytes, piece.byteLength);
      pending.set(piece.subarray(0, start), pendingBytes);
      pendingBytes += start;
      if (pendingBytes < size) return;
      decode(pendingView, 0, floats, bits, n++);
      pendingBytes = 0;
    }
    const view = new DataView(piece.buffer, piece.byteOffset, piece.byteLength);
    for (; start + size <= piece.byteLength; start += size) decode(view, start, floats, bits, n++);
    pending.set(piece.subarray(start));
    pendingBytes = piece.byteLength - start;
    if (n > 0) write(new Uint8Array(floats.buffer, 0, n * 4), next * 4);
    next += n;
  };
}
