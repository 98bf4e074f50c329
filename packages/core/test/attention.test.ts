import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { fusedAttention } from '../src/attention.js';
import { batchMatMul, Rng } from '../src/index.js';
import { describeBackends, expectNoLeaks } from '../src/testing.js';

const rng = new Rng(11);

/** The ops `fusedAttention` stands for, as @lgpt/gpt2's attention runs them. */
function attentionOps(qkv: tf.Tensor3D, bias: tf.Tensor4D, heads: number, divisor: number) {
  return tf.tidy(() => {
    const [batch, length, width] = qkv.shape;
    const headDim = width / (3 * heads);
    const byHead = tf.transpose(tf.reshape(qkv, [batch, length, 3 * heads, headDim]), [0, 2, 1, 3]);
    const [q, k, v] = tf.split(byHead, 3, 1);
    let scores = batchMatMul(q, k, false, true);
    if (divisor !== 1) scores = tf.div(scores, divisor);
    const context = batchMatMul(tf.softmax(tf.add(scores, bias)), v);
    return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, -1]);
  });
}

/** A causal bias `[1, 1, T, T]`, or with padded keys masked per batch entry `[B, 1, T, T]`. */
function biasOf(batch: number, length: number, padded: boolean): tf.Tensor4D {
  const values = new Float32Array(batch * length * length);
  for (let b = 0; b < batch; b++) {
    for (let q = 0; q < length; q++) {
      for (let k = 0; k < length; k++) {
        const masked = k > q || (padded && k < b);
        values[(b * length + q) * length + k] = masked ? -3.4e38 : 0;
      }
    }
  }
  return tf.tensor4d(values, [batch, 1, length, length]);
}

describeBackends('fusedAttention', (backend) => {
  it('is one kernel on wasm with the bits of the ops, and null elsewhere and under gradients', async () => {
    for (const [batch, length, heads, headDim, divisor, padded] of [
      [1, 32, 12, 8, 8, false],
      [3, 5, 2, 3, 1, true],
      [2, 33, 4, 16, 6, false],
    ] as const) {
      const qkv = rng.normalTensor([batch, length, 3 * heads * headDim]) as tf.Tensor3D;
      const bias = biasOf(padded ? batch : 1, length, padded);
      const buffers = tf.memory().numDataBuffers;
      // tf.profile takes no null back: undefined stands for it.
      const run = await tf.profile(
        async () =>
          (await expectNoLeaks(
            () => fusedAttention(qkv, bias, heads, divisor),
            'fusedAttention',
          )) ?? undefined,
      );
      const out = (run.result as tf.Tensor | undefined) ?? null;
      if (backend !== 'wasm') {
        expect(out).toBeNull();
        tf.dispose([qkv, bias]);
        continue;
      }
      expect(run.kernelNames).toEqual(['LgptAttention']);
      const ops = attentionOps(qkv, bias, heads, divisor);
      expect(out?.shape).toEqual([batch, length, heads * headDim]);
      expect(Array.from(await (out as tf.Tensor).data())).toEqual(Array.from(await ops.data()));
      // Its scratch buffers (the scores, the probabilities) are freed.
      tf.dispose([out as tf.Tensor, ops]);
      expect(tf.memory().numDataBuffers).toBe(buffers);
      const taped = tf.grad((x: tf.Tensor) => {
        expect(fusedAttention(x as tf.Tensor3D, bias, heads, divisor)).toBeNull();
        return tf.sum(x);
      })(qkv);
      tf.dispose([qkv, bias, taped]);
    }
  });

  it('leaves a bias of other shapes to the ops', () => {
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
    qkv.dispose();
  });
});
