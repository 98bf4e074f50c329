import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { type AttentionCache, fusedAttention } from '../src/attention.js';
import { batchMatMul, Rng } from '../src/index.js';
import { describeBackends, expectNoLeaks } from '../src/testing.js';

const rng = new Rng(11);

/**
 * The ops `fusedAttention` stands for, as @lgpt/gpt2's attention runs them: heads split, joined to
 * the past keys and values, scores, softmax, context, heads merged.
 */
function attentionOps(
  qkv: tf.Tensor3D,
  bias: tf.Tensor4D,
  heads: number,
  divisor: number,
  past: AttentionCache | null,
): tf.Tensor[] {
  return tf.tidy(() => {
    const [batch, length, width] = qkv.shape;
    const headDim = width / (3 * heads);
    const byHead = tf.transpose(tf.reshape(qkv, [batch, length, 3 * heads, headDim]), [0, 2, 1, 3]);
    let [q, k, v] = tf.split(byHead, 3, 1);
    if (past) [k, v] = [tf.concat([past.key, k], 2), tf.concat([past.value, v], 2)];
    let scores = batchMatMul(q, k, false, true);
    if (divisor !== 1) scores = tf.div(scores, divisor);
    const context = batchMatMul(tf.softmax(tf.add(scores, bias)), v);
    return [tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, -1]), k, v];
  });
}

/**
 * A causal bias `[1, 1, T, P + T]` for T queries after P cached keys, or with padded keys masked
 * per batch entry (entry b's first b keys) `[B, 1, T, P + T]`.
 */
function biasOf(batch: number, past: number, length: number, padded: boolean): tf.Tensor4D {
  const keys = past + length;
  const values = new Float32Array(batch * length * keys);
  for (let b = 0; b < batch; b++) {
    for (let q = 0; q < length; q++) {
      for (let k = 0; k < keys; k++) {
        const masked = k > past + q || (padded && k < b);
        values[(b * length + q) * keys + k] = masked ? -3.4e38 : 0;
      }
    }
  }
  return tf.tensor4d(values, [batch, 1, length, keys]);
}

async function expectSameBits(actual: tf.Tensor, expected: tf.Tensor, label: string) {
  expect(actual.shape, label).toEqual(expected.shape);
  expect(Array.from(await actual.data()), label).toEqual(Array.from(await expected.data()));
}

describeBackends('fusedAttention', (backend) => {
  it('is one kernel on wasm with the bits of the ops, and null elsewhere and under gradients', async () => {
    for (const [batch, past, length, heads, headDim, divisor, padded, cache] of [
      [1, 0, 32, 12, 8, 8, false, false],
      [3, 0, 5, 2, 3, 1, true, true],
      [2, 0, 33, 4, 16, 6, false, false],
      // A KV cache: one new position, and several, after the past ones; with and without
      // returning the present keys and values.
      [2, 7, 1, 3, 8, 8, true, true],
      [1, 4, 3, 2, 5, 2, false, true],
      [2, 6, 2, 2, 4, 3, false, false],
    ] as const) {
      const label = `B ${batch}, past ${past}, T ${length}, cache ${cache}`;
      const qkv = rng.normalTensor([batch, length, 3 * heads * headDim]) as tf.Tensor3D;
      const bias = biasOf(padded ? batch : 1, past, length, padded);
      const pastKV = past
        ? {
            key: rng.normalTensor([batch, heads, past, headDim]) as tf.Tensor4D,
            value: rng.normalTensor([batch, heads, past, headDim]) as tf.Tensor4D,
          }
        : null;
      const inputs = [qkv, bias, ...(pastKV ? [pastKV.key, pastKV.value] : [])];
      const buffers = tf.memory().numDataBuffers;
      const run = await tf.profile(async () => {
        const result = await expectNoLeaks(
          () => fusedAttention(qkv, bias, heads, divisor, { past: pastKV, cache }),
          label,
        );
        return result
          ? [result.output, ...(result.present ? [result.present.key, result.present.value] : [])]
          : [];
      });
      const outputs = run.result as tf.Tensor[];
      if (backend !== 'wasm') {
        expect(outputs).toEqual([]);
        tf.dispose(inputs);
        continue;
      }
      expect(run.kernelNames).toEqual(['LgptAttention']);
      const [output, key, value] = attentionOps(qkv, bias, heads, divisor, pastKV);
      await expectSameBits(outputs[0], output, `${label}: output`);
      expect(outputs.length).toBe(cache ? 3 : 1);
      if (cache) {
        await expectSameBits(outputs[1], key, `${label}: present keys`);
        await expectSameBits(outputs[2], value, `${label}: present values`);
      }
      // Its scratch buffers (the scores, the probabilities, unreturned keys and values) are freed.
      tf.dispose([...outputs, output, key, value]);
      expect(tf.memory().numDataBuffers, label).toBe(buffers);
      const taped = tf.grad((x: tf.Tensor) => {
        expect(fusedAttention(x as tf.Tensor3D, bias, heads, divisor, { past: pastKV })).toBeNull();
        return tf.sum(x);
      })(qkv);
      tf.dispose([...inputs, taped]);
    }
  });

  it('leaves a bias or a cache of other shapes to the ops', () => {
    const qkv = rng.normalTensor([2, 4, 12]) as tf.Tensor3D;
    for (const shape of [
      [2, 2, 4, 4],
      [3, 1, 4, 4],
      [1, 1, 4, 5],
    ] as const) {
      const bias = tf.zeros([...shape]) as tf.Tensor4D;
      expect(fusedAttention(qkv, bias, 2, 1)).toBeNull();
      bias.dispose();
    }
    // Past keys and values of another head size, or of different lengths.
    const bias = tf.zeros([1, 1, 4, 7]) as tf.Tensor4D;
    for (const [keyShape, valueShape] of [
      [
        [2, 2, 3, 3],
        [2, 2, 3, 3],
      ],
      [
        [2, 2, 3, 2],
        [2, 2, 2, 2],
      ],
    ] as const) {
      const past = {
        key: tf.zeros([...keyShape]) as tf.Tensor4D,
        value: tf.zeros([...valueShape]) as tf.Tensor4D,
      };
      expect(fusedAttention(qkv, bias, 2, 1, { past })).toBeNull();
      tf.dispose([past.key, past.value]);
    }
    tf.dispose([qkv, bias]);
  });
});
