import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { batchMatMul, Rng } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

/**
 * On wasm `batchMatMul` runs the `LgptBatchMatMul` kernel (a depthwise convolution); elsewhere the
 * composite `tf.matMul`. Both must equal tfjs's matMul, forward and gradient.
 */
describeBackends('batchMatMul (kernel or composite) equals tf.matMul', (backend) => {
  it('forward and gradients over [2, 3, 5, 4] @ [2, 3, 4, 6]', async () => {
    const a = new Rng(1).normalTensor([2, 3, 5, 4]);
    const b = new Rng(2).normalTensor([2, 3, 4, 6]);
    const r = new Rng(3).normalTensor([2, 3, 5, 6]);
    expect(tf.getKernel('LgptBatchMatMul', backend) !== undefined).toBe(backend === 'wasm');
    const ours = await expectNoLeaks(() =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(batchMatMul(x, y), r)))([a, b]),
    );
    const reference = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), r)))([
      a,
      b,
    ]);
    const value = batchMatMul(a, b);
    const expected = tf.matMul(a, b);
    await expectClose(value, expected, { atol: 1e-5, label: 'product' });
    await expectClose(ours[0], reference[0], { atol: 1e-5, label: 'gradient of a' });
    await expectClose(ours[1], reference[1], { atol: 1e-5, label: 'gradient of b' });
    tf.dispose([a, b, r, value, expected, ...ours, ...reference]);
  });

  it('folds transposed operands in, forward and gradients, batched or single', async () => {
    const rng = new Rng(4);
    for (const batch of [[2, 3], [1]]) {
      for (const [transposeA, transposeB] of [
        [false, true],
        [true, false],
        [true, true],
      ]) {
        const a = rng.normalTensor([...batch, ...(transposeA ? [4, 5] : [5, 4])]);
        const b = rng.normalTensor([...batch, ...(transposeB ? [6, 4] : [4, 6])]);
        const r = rng.normalTensor([...batch, 5, 6]);
        const label = `batch [${batch}], transposeA ${transposeA}, transposeB ${transposeB}`;
        const loss =
          (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(tf.mul(f(x, y), r));
        const ours = await expectNoLeaks(() =>
          tf.grads(loss((x, y) => batchMatMul(x, y, transposeA, transposeB)))([a, b]),
        );
        const reference = tf.grads(loss((x, y) => tf.matMul(x, y, transposeA, transposeB)))([a, b]);
        await expectClose(
          batchMatMul(a, b, transposeA, transposeB),
          tf.matMul(a, b, transposeA, transposeB),
          {
            atol: 1e-5,
            label: `${label}: product`,
          },
        );
        await expectClose(ours[0], reference[0], { atol: 1e-5, label: `${label}: gradient of a` });
        await expectClose(ours[1], reference[1], { atol: 1e-5, label: `${label}: gradient of b` });
        tf.dispose([a, b, r, ...ours, ...reference]);
      }
    }
  });
});
