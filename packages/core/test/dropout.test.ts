import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { applyDropoutMask, Dropout, dropout, Rng } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

describeBackends('dropout masks', (backend) => {
  it('keepBits makes the decisions of random() >= p, draw for draw', () => {
    for (const p of [0.1, 0.5, 0.25]) {
      const bits = new Rng(3).keepBits(5000, p);
      const twin = new Rng(3);
      const expected = Uint8Array.from({ length: 5000 }, () => (twin.random() >= p ? 1 : 0));
      expect(bits).toEqual(expected);
      // And leaves the generator where 5000 calls to random() would.
      const after = new Rng(3);
      after.keepBits(5000, p);
      expect(after.random()).toBe(twin.random());
    }
  });

  it('dropout backpropagates through its 1-byte mask: dx = dy · mask / (1 − p)', async () => {
    const x = new Rng(1).normalTensor([6, 7]);
    const dy = new Rng(2).normalTensor([6, 7]);
    const [y, dx] = await expectNoLeaks(() => {
      const rng = new Rng(9);
      const out = dropout(x, 0.3, rng);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(dropout(v, 0.3, new Rng(9)), dy)))(x);
      return [out, grad];
    }, 'dropout forward and gradient');
    const keep = tf.tensor(new Rng(9).keepBits(42, 0.3), [6, 7], 'bool');
    await expectClose(y, tf.mul(x, tf.mul(tf.cast(keep, 'float32'), 1 / 0.7)), { atol: 1e-6 });
    await expectClose(dx, applyDropoutMask(dy, keep, 0.3), { atol: 1e-6, label: 'dx' });
    tf.dispose([x, dy, y, dx, keep]);
  });

  it("applyDropoutMask gives the ops' bits (one kernel on wasm), and its gradient through the mask", async () => {
    // 203 elements: the kernel's vectors of four and a tail of three; signed zeros, infinities
    // and NaN where the mask drops them (0 · ∞ is NaN, as tfjs's Multiply gives).
    const x = tf.concat([
      new Rng(5).normalTensor([190], 0, 3),
      tf.tensor1d([
        0,
        -0,
        -2,
        2,
        Infinity,
        -Infinity,
        Number.NaN,
        1e-40,
        -1e-40,
        3e38,
        -3e38,
        7,
        -7,
      ]),
    ]);
    const mask = tf.tensor(new Rng(6).keepBits(x.size, 0.35), x.shape, 'bool');
    const run = await tf.profile(() =>
      expectNoLeaks(() => applyDropoutMask(x, mask, 0.35), 'applyDropoutMask'),
    );
    expect(run.kernelNames.includes('LgptDropoutMask')).toBe(backend === 'wasm');
    const ops = tf.mul(x, tf.mul(tf.cast(mask, 'float32'), 1 / 0.65));
    const bits = async (t: tf.Tensor) => new Uint32Array((await t.data<'float32'>()).buffer);
    expect(await bits(run.result as tf.Tensor)).toEqual(await bits(ops));
    // Differentiated directly (outside dropout's own gradient): dx = dy · mask / (1 − p).
    const dy = new Rng(7).normalTensor([x.size]);
    const finite = tf.where(tf.isFinite(x), x, tf.zerosLike(x));
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(applyDropoutMask(v, mask, 0.35), dy)))(
      finite,
    );
    expect(await bits(dx)).toEqual(
      await bits(tf.mul(dy, tf.mul(tf.cast(mask, 'float32'), 1 / 0.65))),
    );
    tf.dispose([x, mask, run.result as tf.Tensor, ops, dy, finite, dx]);
  });

  it('Dropout.sampleMask draws the mask forward would, and nothing when inactive', async () => {
    const x = new Rng(4).normalTensor([3, 5]);
    const viaForward = new Dropout(0.4, new Rng(8)).forward(x);
    const mask = new Dropout(0.4, new Rng(8)).sampleMask([3, 5]) as tf.Tensor;
    expect(mask.dtype).toBe('bool');
    await expectClose(applyDropoutMask(x, mask, 0.4), viaForward, { atol: 0 });
    expect(new Dropout(0.4).eval().sampleMask([3, 5])).toBeNull();
    expect(new Dropout(0).sampleMask([3, 5])).toBeNull();
    tf.dispose([x, viaForward, mask]);
  });
});
