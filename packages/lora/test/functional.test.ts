import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { loraLinear } from '../src/functional.js';
import { add, addRow, matmul, matrix, scale, transpose, vector } from './support/reference.js';

describeBackends('loraLinear (functional)', () => {
  const rng = new Rng(5);

  it('computes x·W + b + s·(x·Aᵀ)·Bᵀ for [out, in] and [in, out] weights; gradients reach the LoRA variables only', async () => {
    for (const fanInFanOut of [false, true]) {
      const weight = rng.normalTensor(fanInFanOut ? [6, 3] : [3, 6]);
      const bias = rng.normalTensor([3]);
      const loraA = tf.variable(rng.normalTensor([2, 6]));
      const loraB = tf.variable(rng.normalTensor([3, 2]));
      const x = rng.normalTensor([4, 6]);
      const y = await expectNoLeaks(
        () => loraLinear(x, { weight, bias, loraA, loraB, scaling: 1.5, fanInFanOut }),
        'loraLinear',
      );
      const w = await matrix(weight);
      const xm = await matrix(x);
      const update = matmul(
        matmul(xm, transpose(await matrix(loraA))),
        transpose(await matrix(loraB)),
      );
      const expected = add(
        addRow(matmul(xm, fanInFanOut ? w : transpose(w)), await vector(bias)),
        scale(update, 1.5),
      );
      await expectClose(y, expected, { atol: 1e-5, label: `output (fanInFanOut ${fanInFanOut})` });

      const { value, grads } = tf.variableGrads(
        () =>
          tf.sum(
            loraLinear(x, { weight, bias, loraA, loraB, scaling: 1.5, fanInFanOut }),
          ) as tf.Scalar,
      );
      expect(Object.keys(grads)).toEqual(expect.arrayContaining([loraA.name, loraB.name]));
      tf.dispose([weight, bias, loraA, loraB, x, y, value, ...Object.values(grads)]);
    }
  });

  it('applies the dropout function to the LoRA input only', async () => {
    const weight = rng.normalTensor([3, 4]);
    const loraA = rng.normalTensor([2, 4]);
    const loraB = rng.normalTensor([3, 2]);
    const x = rng.normalTensor([5, 4]);
    const zeroInput = (t: tf.Tensor) => tf.zerosLike(t);
    const y = loraLinear(x, { weight, loraA, loraB, scaling: 2, dropout: zeroInput });
    await expectClose(y, matmul(await matrix(x), transpose(await matrix(weight))), {
      atol: 1e-5,
      label: 'base only',
    });
    tf.dispose([weight, loraA, loraB, x, y]);
  });

  it('names the shapes at fault', () => {
    const weight = tf.zeros([3, 4]);
    expect(() =>
      loraLinear(tf.zeros([1, 4]), {
        weight,
        loraA: tf.zeros([2, 5]),
        loraB: tf.zeros([3, 2]),
        scaling: 1,
      }),
    ).toThrow(
      /loraA \[2,5\] and loraB \[3,2\] do not fit weight \[3,4\] \(fanInFanOut false\); expected loraA \[r, 4\] and loraB \[3, r\]/,
    );
    weight.dispose();
  });
});
