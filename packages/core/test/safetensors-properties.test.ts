import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DTYPE_BYTES,
  initBackend,
  readSafetensors,
  SafetensorsError,
  serializeSafetensors,
} from '../src/index.js';

// Property-based: fast-check prints the seed and the shrunk counterexample when one fails.
const NUM_RUNS = 1000;

beforeAll(async () => {
  await initBackend('cpu');
});

/** 8-byte little-endian header length, header text, data. */
function file(headerLength: bigint, header: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength, true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

const encode = (text: string) => new TextEncoder().encode(text);

/** Header entries near the valid ones: known and unknown dtypes, odd shapes and offsets. */
const entry = fc.record(
  {
    dtype: fc.oneof(fc.constantFrom(...Object.keys(DTYPE_BYTES)), fc.jsonValue()),
    shape: fc.oneof(
      fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      fc.array(fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60)), { maxLength: 3 }),
      fc.jsonValue(),
    ),
    data_offsets: fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 })),
      fc.array(fc.oneof(fc.integer(), fc.double(), fc.string()), { maxLength: 3 }),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);

const header = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 6 }), entry, { maxKeys: 4 }).map((h) => JSON.stringify(h)),
  fc
    .tuple(fc.dictionary(fc.string({ maxLength: 6 }), entry, { maxKeys: 3 }), fc.jsonValue())
    .map(([h, metadata]) => JSON.stringify({ ...h, __metadata__: metadata })),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
  fc.string(),
);

/** Files with a header length that is right, or off, or absurd; and plain random bytes. */
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .tuple(header, fc.uint8Array({ maxLength: 64 }), fc.integer({ min: -3, max: 3 }))
    .map(([text, data, skew]) => {
      const h = encode(text);
      return file(BigInt(Math.max(0, h.length + skew)), h, data);
    }),
  fc
    .tuple(header, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
    .map(([text, length]) => file(length, encode(text), new Uint8Array(0))),
);

describe('safetensors parser properties', () => {
  it('arbitrary bytes either read or fail with a SafetensorsError naming the source', async () => {
    await fc.assert(
      fc.asyncProperty(bytes, async (input) => {
        const before = tf.memory().numTensors;
        try {
          const tensors = await readSafetensors(input);
          tf.dispose(Object.values(tensors));
        } catch (error) {
          expect(error).toBeInstanceOf(SafetensorsError);
          expect((error as Error).message).toMatch(/^<bytes>: /);
        }
        expect(tf.memory().numTensors).toBe(before);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('reads an empty tensor that shares its offset with the next one (found by the property below)', async () => {
    const tensors = { '0': tf.tensor([1], [], 'bool'), ' ': tf.tensor1d([], 'int32') };
    const read = await readSafetensors(await serializeSafetensors(tensors));
    expect(read[' '].shape).toEqual([0]);
    expect(await read['0'].data()).toEqual(new Uint8Array([1]));
    tf.dispose([...Object.values(tensors), ...Object.values(read)]);
  });

  it('round-trips arbitrary tensors and metadata', async () => {
    const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
    const tensorSpec = fc.oneof(
      shape.chain((s) =>
        fc
          .array(fc.float({ noNaN: false }), {
            minLength: s.reduce((a, b) => a * b, 1),
            maxLength: s.reduce((a, b) => a * b, 1),
          })
          .map((values) => ({ dtype: 'float32' as const, shape: s, values })),
      ),
      shape.chain((s) =>
        fc
          .array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), {
            minLength: s.reduce((a, b) => a * b, 1),
            maxLength: s.reduce((a, b) => a * b, 1),
          })
          .map((values) => ({ dtype: 'int32' as const, shape: s, values })),
      ),
      shape.chain((s) =>
        fc
          .array(fc.boolean(), {
            minLength: s.reduce((a, b) => a * b, 1),
            maxLength: s.reduce((a, b) => a * b, 1),
          })
          .map((values) => ({ dtype: 'bool' as const, shape: s, values: values.map(Number) })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tensorSpec, { maxKeys: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        async (specs, metadata) => {
          const tensors = Object.fromEntries(
            Object.entries(specs).map(([name, s]) => [name, tf.tensor(s.values, s.shape, s.dtype)]),
          );
          const read = await readSafetensors(await serializeSafetensors(tensors, { metadata }));
          try {
            expect(Object.keys(read).sort()).toEqual(Object.keys(specs).sort());
            for (const [name, s] of Object.entries(specs)) {
              expect(read[name].dtype, name).toBe(s.dtype);
              expect(read[name].shape, name).toEqual(s.shape);
              // Float32 bit patterns survive, NaN and -0 included.
              const expected =
                s.dtype === 'float32' ? Array.from(Float32Array.from(s.values)) : s.values;
              expect(Array.from(await read[name].data()), name).toEqual(expected);
            }
          } finally {
            tf.dispose([...Object.values(tensors), ...Object.values(read)]);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
