import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  initBackend,
  openSafetensors,
  readSafetensors,
  SafetensorsError,
  serializeSafetensors,
  writeSafetensors,
} from '../src/index.js';

const FIXTURES = fixturePath();
let dir: string;

beforeAll(async () => {
  await initBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'lgpt-safetensors-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Builds a safetensors file by hand (independently of the writer under test). */
function rawFile(header: object | string, data: Uint8Array, pad = true): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  if (pad) text += ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

async function fixtureFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await fixtureFiles(path)));
    else if (entry.name.endsWith('.safetensors')) out.push(path);
  }
  return out.sort();
}

describe('safetensors reading', () => {
  it('reads every fixture file exactly as laid out on disk', async () => {
    const files = await fixtureFiles(FIXTURES);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const bytes = await readFile(file);
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
      const tensors = await readSafetensors(file);
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      expect(Object.keys(tensors).sort()).toEqual(names.sort());
      for (const name of names) {
        const {
          dtype,
          shape,
          data_offsets: [begin, end],
        } = header[name];
        const raw = bytes.buffer.slice(
          bytes.byteOffset + 8 + n + begin,
          bytes.byteOffset + 8 + n + end,
        );
        const expected =
          dtype === 'F32' ? new Float32Array(raw) : dtype === 'I32' ? new Int32Array(raw) : null;
        if (!expected) continue; // F16 is covered by its own test
        expect(tensors[name].shape, `${file}:${name}`).toEqual(shape);
        expect(Array.from(tensors[name].dataSync()), `${file}:${name}`).toEqual(
          Array.from(expected),
        );
      }
      const reader = await openSafetensors(file);
      expect(reader.metadata).toEqual(header.__metadata__ ?? {});
      await reader.close();
      tf.dispose(Object.values(tensors));
    }
  });

  it('knows the golden GPT-2 inputs', async () => {
    const reader = await openSafetensors(join(FIXTURES, 'gpt2/golden.safetensors'));
    expect(reader.info('input_ids')).toEqual({
      dtype: 'I32',
      shape: [2, 8],
      dataOffsets: expect.any(Array),
    });
    const ids = await reader.tensor('input_ids');
    expect(ids.arraySync()).toEqual([
      [5, 17, 300, 42, 999, 7, 0, 0],
      [1, 2, 3, 4, 5, 6, 7, 8],
    ]);
    ids.dispose();
    await reader.close();
  });

  it('re-serialises F32/I32 fixtures byte for byte (reference layout and header)', async () => {
    for (const name of [
      'gpt2/golden.safetensors',
      'gpt2/model/model.safetensors',
      'lora/adapter/adapter_model.safetensors',
    ]) {
      const path = join(FIXTURES, name);
      const reader = await openSafetensors(path);
      const tensors = await readSafetensors(path);
      const ours = await serializeSafetensors(tensors, { metadata: reader.metadata });
      expect(Buffer.from(ours).equals(await readFile(path)), name).toBe(true);
      await reader.close();
      tf.dispose(Object.values(tensors));
    }
  });

  it('decodes F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL', async () => {
    const parts: [string, string, number[], ArrayBufferView][] = [
      ['f64', 'F64', [2], new Float64Array([1.5, -2.25])],
      ['i64', 'I64', [2], new BigInt64Array([-3n, 2147483647n])],
      ['f32', 'F32', [1], new Float32Array([0.5])],
      ['i32', 'I32', [1], new Int32Array([-7])],
      // F16 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (subnormal), 0x7c00 = inf
      ['f16', 'F16', [4], new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00])],
      // BF16 0x3f80 = 1, 0xc040 = -3
      ['bf16', 'BF16', [2], new Uint16Array([0x3f80, 0xc040])],
      ['i16', 'I16', [2], new Int16Array([-300, 300])],
      ['i8', 'I8', [2], new Int8Array([-128, 127])],
      ['u8', 'U8', [2], new Uint8Array([0, 255])],
      ['b', 'BOOL', [3], new Uint8Array([1, 0, 1])],
    ];
    const header: Record<string, unknown> = {};
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const [name, dtype, shape, data] of parts) {
      header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
      chunks.push(new Uint8Array(data.buffer));
      offset += data.byteLength;
    }
    const data = new Uint8Array(offset);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    const t = await readSafetensors(rawFile(header, data));
    expect(Array.from(t.f64.dataSync())).toEqual([1.5, -2.25]);
    expect(t.i64.dtype).toBe('int32');
    expect(Array.from(t.i64.dataSync())).toEqual([-3, 2147483647]);
    expect(Array.from(t.f16.dataSync())).toEqual([1, -2, 2 ** -24, Number.POSITIVE_INFINITY]);
    expect(Array.from(t.bf16.dataSync())).toEqual([1, -3]);
    expect(Array.from(t.i16.dataSync())).toEqual([-300, 300]);
    expect(Array.from(t.i8.dataSync())).toEqual([-128, 127]);
    expect(Array.from(t.u8.dataSync())).toEqual([0, 255]);
    expect(t.b.dtype).toBe('bool');
    expect(Array.from(t.b.dataSync())).toEqual([1, 0, 1]);
    tf.dispose(Object.values(t));
  });

  it('refuses an I64 value that int32 cannot hold', async () => {
    const file = rawFile(
      { x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } },
      new Uint8Array(new BigInt64Array([1n << 40n]).buffer),
    );
    await expect(readSafetensors(file)).rejects.toThrow(/tensor 'x'.*does not fit in int32/);
  });
});

describe('safetensors corrupt files', () => {
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).buffer);
  const cases: [string, Uint8Array, RegExp][] = [
    ['too small', new Uint8Array(5), /too small/],
    [
      'header length beyond the file',
      (() => {
        const b = rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1));
        new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
        return b;
      })(),
      /header length \d+ is larger than the file/,
    ],
    ['header not JSON', rawFile('{"a": nope}', new Uint8Array(0)), /not valid JSON/],
    [
      'header not UTF-8',
      (() => {
        const b = rawFile('{"a":"xx"}', new Uint8Array(0));
        b[8 + 7] = 0xff; // the second 'x'
        return b;
      })(),
      /not valid UTF-8/,
    ],
    [
      'unknown dtype',
      rawFile({ a: { dtype: 'F8_E9M9', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /unknown dtype "F8_E9M9"/,
    ],
    [
      'invalid shape',
      rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)),
      /invalid shape/,
    ],
    [
      'offsets do not match dtype x shape',
      rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)),
      /span 8 bytes but F32\[3\] needs 12/,
    ],
    [
      'offsets out of range (truncated file)',
      rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2)),
      /run past the data buffer/,
    ],
    [
      'overlapping tensors',
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        f32(3),
      ),
      /'b'.*overlap/,
    ],
    [
      'hole between tensors',
      rawFile(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        f32(3),
      ),
      /hole in the data buffer before tensor 'b'/,
    ],
    [
      'trailing bytes',
      rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /trailing or missing data/,
    ],
    [
      'non-string metadata',
      rawFile({ __metadata__: { n: 1 } }, new Uint8Array(0)),
      /__metadata__ value for 'n'/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects: ${name}`, async () => {
      const path = join(dir, `corrupt-${name.replace(/\W+/g, '-')}.safetensors`);
      await writeFile(path, bytes);
      const error = await openSafetensors(path).then(
        () => null,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error!.message).toMatch(message);
      if (name !== 'too small') expect(error).toBeInstanceOf(SafetensorsError);
      expect(error!.message.startsWith(path)).toBe(true);
    });
  }

  it('names a missing file', async () => {
    await expect(openSafetensors(join(dir, 'nope.safetensors'))).rejects.toThrow(
      /nope\.safetensors.*ENOENT/,
    );
  });
});

describe('safetensors writing', () => {
  it('round-trips F32 exactly and F16 with half rounding, with metadata', async () => {
    const path = join(dir, 'roundtrip.safetensors');
    const values = [0, 1, -2, 0.1, 65504, 70000, 1e-8, 3.14, -1e-5];
    const a = tf.tensor2d(values.slice(0, 8), [2, 4]);
    const h = tf.tensor1d(values);
    const ids = tf.tensor1d([1, -2, 3], 'int32');
    await writeSafetensors(
      path,
      { a, h, ids },
      { metadata: { format: 'pt' }, floatDtype: { a: 'F32', h: 'F16' } },
    );
    const reader = await openSafetensors(path);
    expect(reader.metadata).toEqual({ format: 'pt' });
    expect(reader.info('h').dtype).toBe('F16');
    const back = await readSafetensors(path);
    expect(Array.from(back.a.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Array.from(back.ids.dataSync())).toEqual([1, -2, 3]);
    // Half-precision neighbours computed by hand: 0.1 → 0.0999755859375, 65504 is the max
    // finite half, 70000 overflows to inf, 1e-8 underflows to 0, 3.14 → 3.140625.
    const halfValues = Array.from(back.h.dataSync());
    expect(halfValues.slice(0, 7)).toEqual([
      0,
      1,
      -2,
      0.0999755859375,
      65504,
      Number.POSITIVE_INFINITY,
      0,
    ]);
    expect(halfValues[7]).toBe(3.140625);
    expect(halfValues[8]).toBeCloseTo(-1e-5, 7);
    await reader.close();
    tf.dispose([a, h, ids, ...Object.values(back)]);
  });

  it('never overwrites a file unless asked', async () => {
    const path = join(dir, 'keep.safetensors');
    const t = tf.ones([2]);
    await writeSafetensors(path, { t });
    await expect(writeSafetensors(path, { t })).rejects.toThrow(
      /already exists; pass \{ overwrite: true \}/,
    );
    await writeSafetensors(path, { t }, { overwrite: true });
    t.dispose();
  });
});

describe('sharded checkpoints', () => {
  it('reads a model.safetensors.index.json and its shards as one file', async () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor2d([[3, 4]]);
    await writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), { 'x.a': a });
    await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), { 'x.b': b });
    const index = join(dir, 'model.safetensors.index.json');
    await writeFile(
      index,
      JSON.stringify({
        metadata: { total_size: 24 },
        weight_map: {
          'x.a': 'model-00001-of-00002.safetensors',
          'x.b': 'model-00002-of-00002.safetensors',
        },
      }),
    );
    const t = await readSafetensors(index);
    expect(Object.keys(t).sort()).toEqual(['x.a', 'x.b']);
    expect(t['x.b'].arraySync()).toEqual([[3, 4]]);
    const reader = await openSafetensors(index);
    expect(reader.metadata).toEqual({ total_size: '24' });
    expect(reader.info('x.a').shape).toEqual([2]);
    await reader.close();

    const badIndex = join(dir, 'bad.safetensors.index.json');
    await writeFile(
      badIndex,
      JSON.stringify({ weight_map: { 'x.c': 'model-00001-of-00002.safetensors' } }),
    );
    await expect(openSafetensors(badIndex)).rejects.toThrow(
      /'x.c' in 'model-00001-of-00002.safetensors', which does not contain it/,
    );
    await writeFile(badIndex, JSON.stringify({ weight_map: { 'x.a': 'missing.safetensors' } }));
    await expect(openSafetensors(badIndex)).rejects.toThrow(/missing\.safetensors/);
    tf.dispose([a, b, ...Object.values(t)]);
  });
});

describe('large files', () => {
  it('streams one tensor from a > 2 GB (sparse) file without reading the rest', async () => {
    const padBytes = 2_300_000_000; // past both 2^31 and the 2 GB Buffer limit
    const header = {
      __metadata__: { note: 'sparse' },
      pad: { dtype: 'U8', shape: [padBytes], data_offsets: [0, padBytes] },
      tail: { dtype: 'F32', shape: [4], data_offsets: [padBytes, padBytes + 16] },
    };
    const prefix = rawFile(header, new Uint8Array(0));
    const path = join(dir, 'big.safetensors');
    const handle = await open(path, 'w');
    await handle.write(prefix, 0, prefix.length, 0);
    await handle.write(
      new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer),
      0,
      16,
      prefix.length + padBytes,
    );
    await handle.close();
    expect((await stat(path)).size).toBe(prefix.length + padBytes + 16);

    const rssBefore = process.memoryUsage().rss;
    const reader = await openSafetensors(path);
    expect(reader.info('pad').shape).toEqual([padBytes]);
    const tail = await reader.tensor('tail');
    expect(Array.from(tail.dataSync())).toEqual([1, 2, 3, 4]);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200_000_000);
    tail.dispose();
    await reader.close();
    await rm(path);
  });
});
