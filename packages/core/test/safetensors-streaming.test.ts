import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackends, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blobByteSource } from '../src/hub/browser-cache.js';
import {
  type ByteSource,
  openSafetensors,
  openSafetensorsSource,
  Rng,
  serializeSafetensors,
  writeSafetensors,
} from '../src/index.js';
import { bufferByteSource } from '../src/safetensors/byte-source.js';
import { halfToFloat } from '../src/safetensors/dtypes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lgpt-safetensors-streaming-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * `bytes` as a ByteSource that streams in pieces of `pieceBytes` through one reused buffer (as the
 * file source does), calling `between` after each piece: pieces split elements, and a reader that
 * kept a piece instead of copying it would see it overwritten.
 */
function piecewise(
  bytes: Uint8Array,
  pieceBytes: number,
  between: (piece: number) => void = () => {},
): ByteSource {
  return {
    ...bufferByteSource(bytes, `<${pieceBytes}-byte pieces>`),
    async stream(offset, length, write) {
      const scratch = new Uint8Array(pieceBytes);
      for (let at = 0, piece = 0; at < length; at += pieceBytes, piece++) {
        const n = Math.min(pieceBytes, length - at);
        scratch.set(bytes.subarray(offset + at, offset + at + n));
        write(scratch.subarray(0, n), at);
        scratch.fill(0xff);
        between(piece);
        await Promise.resolve();
      }
    },
  };
}

/** Bit-for-bit equality of large arrays (a deep `toEqual` of a million elements takes seconds). */
function sameBits(a: ArrayLike<number> & { buffer: ArrayBufferLike }, b: Float32Array): boolean {
  return (
    a instanceof Float32Array &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    )
  );
}

/** A safetensors file of the given raw tensors, laid out by hand (not by the writer). */
function rawFile(tensors: Record<string, { dtype: string; shape: number[]; data: Uint8Array }>) {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, { dtype, shape, data }] of Object.entries(tensors)) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const { data } of Object.values(tensors)) {
    out.set(data, at);
    at += data.byteLength;
  }
  return out;
}

function randomFloats(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count }, () => rng.normal());
}

async function checkpointBytes(): Promise<{ bytes: Uint8Array; f: Float32Array; i: Int32Array }> {
  const f = randomFloats(3 * 5, 1);
  const i = Int32Array.from([-7, 0, 1, 2 ** 31 - 1, -(2 ** 31), 42, 5]);
  const tensors = { f: tf.tensor2d(f, [3, 5]), i: tf.tensor1d(i, 'int32') };
  try {
    return { bytes: await serializeSafetensors(tensors), f, i };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

describeBackends('safetensors tensors streamed into place', (backend) => {
  it('fills F32 and I32 tensors from pieces of any size, bit for bit', async () => {
    const { bytes, f, i } = await checkpointBytes();
    for (const pieceBytes of [1, 3, 7, 64, 4096]) {
      const file = await openSafetensorsSource(piecewise(bytes, pieceBytes));
      const [ft, it_] = await expectNoLeaks(
        async () => [await file.tensor('f'), await file.tensor('i')],
        `reading in ${pieceBytes}-byte pieces`,
      );
      expect(ft.dtype).toBe('float32');
      expect(ft.shape).toEqual([3, 5]);
      expect(await ft.data()).toEqual(f);
      expect(it_.dtype).toBe('int32');
      expect(await it_.data()).toEqual(i);
      tf.dispose([ft, it_]);
      await file.close();
    }
  });

  it('decodes F16, BF16 and F64 split across pieces exactly as element by element', async () => {
    // Every 16-bit pattern: zeros, subnormals, infinities and NaNs (BF16 NaN payloads kept).
    const halves = Uint16Array.from({ length: 1 << 16 }, (_, h) => h);
    const doubles = Float64Array.from(randomFloats(1001, 5), (x) => x * 1e-3 + 1e-9);
    const bytes = rawFile({
      f16: { dtype: 'F16', shape: [halves.length], data: new Uint8Array(halves.buffer) },
      bf16: { dtype: 'BF16', shape: [halves.length], data: new Uint8Array(halves.buffer) },
      f64: { dtype: 'F64', shape: [doubles.length], data: new Uint8Array(doubles.buffer) },
    });
    const expected = {
      f16: Float32Array.from(halves, halfToFloat),
      bf16: new Float32Array(Uint32Array.from(halves, (h) => h << 16).buffer),
      f64: Float32Array.from(doubles),
    };
    for (const pieceBytes of [1, 3, 5, 4099]) {
      const file = await openSafetensorsSource(piecewise(bytes, pieceBytes));
      for (const [name, values] of Object.entries(expected)) {
        const t = await file.tensor(name);
        expect(t.dtype).toBe('float32');
        expect(sameBits(await t.data(), values), `${name} in ${pieceBytes}-byte pieces`).toBe(true);
        t.dispose();
      }
      await file.close();
    }
  });

  it('reads tensors from a Blob (the browser cache) through its stream', async () => {
    const { bytes, f, i } = await checkpointBytes();
    const file = await openSafetensorsSource(blobByteSource(new Blob([bytes.slice()]), '<blob>'));
    const [ft, it_] = [await file.tensor('f'), await file.tensor('i')];
    expect(await ft.data()).toEqual(f);
    expect(await it_.data()).toEqual(i);
    tf.dispose([ft, it_]);
    await file.close();
  });

  it('reads a tensor larger than one piece of a file from disk', async () => {
    const values = randomFloats(600_000, 2); // 2.4 MB: three 1 MiB pieces
    const path = join(dir, `big-${backend}.safetensors`);
    const t = tf.tensor1d(values);
    await writeSafetensors(path, { t });
    t.dispose();
    const file = await openSafetensors(path);
    const read = await file.tensor('t');
    expect(sameBits(await read.data(), values)).toBe(true);
    read.dispose();
    await file.close();
  });

  it('leaves no tensor behind when the bytes stop coming', async () => {
    const { bytes } = await checkpointBytes();
    const failing = piecewise(bytes, 8, (piece) => {
      if (piece === 1) throw new Error('connection dropped');
    });
    const file = await openSafetensorsSource(failing);
    await expectNoLeaks(async () => {
      await expect(file.tensor('f')).rejects.toThrow('connection dropped');
    });
    await file.close();
  });

  it.skipIf(backend !== 'wasm')(
    'keeps writing into the tensor when the wasm heap grows between pieces',
    async () => {
      const heapBytes = () =>
        (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
      const values = randomFloats(100_000, 3);
      const t = tf.tensor1d(values);
      const bytes = await serializeSafetensors({ t });
      t.dispose();
      const before = heapBytes();
      let grower: tf.Tensor | undefined;
      const source = piecewise(bytes, 64 << 10, (piece) => {
        // More than the whole heap: allocating it must grow the heap mid-read.
        if (piece === 0) grower = tf.zeros([before / 4 + 1]);
      });
      const file = await openSafetensorsSource(source);
      const read = await file.tensor('t');
      expect(heapBytes()).toBeGreaterThan(before);
      expect(await read.data()).toEqual(values);
      tf.dispose([read, grower as tf.Tensor]);
      await file.close();
    },
  );
});
