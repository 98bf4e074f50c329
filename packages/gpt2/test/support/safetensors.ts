import { writeFileSync } from 'node:fs';

export interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** Writes a safetensors file from raw bytes (any dtype, e.g. BF16, which the core writer lacks). */
export function writeRawSafetensors(path: string, tensors: RawTensor[]): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + t.bytes.length],
    };
    offset += t.bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(
    path,
    Buffer.concat([head, Buffer.from(json), ...tensors.map((t) => Buffer.from(t.bytes))]),
  );
}

/** bfloat16 by truncation: the upper half of each float32 (so decoding it is exact). */
export function toBF16(values: Float32Array): { bytes: Uint8Array; decoded: Float32Array } {
  const words = new Uint32Array(
    values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
  );
  const halves = new Uint16Array(words.length);
  const decoded = new Uint32Array(words.length);
  words.forEach((w, i) => {
    halves[i] = w >>> 16;
    decoded[i] = (w >>> 16) << 16;
  });
  return { bytes: new Uint8Array(halves.buffer), decoded: new Float32Array(decoded.buffer) };
}
