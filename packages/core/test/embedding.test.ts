import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { embeddingLookup, Rng } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

describeBackends('embeddingLookup', () => {
  const rng = new Rng(11);
  const [num, dim] = [7, 3];
  const ids = [
    [1, 4, 1],
    [6, 1, 0],
  ];

  it('gathers rows, and its gradient sums over repeated ids (= oneHotᵀ · dy)', async () => {
    const weight = tf.variable(rng.normalTensor([num, dim]));
    const idsT = tf.tensor2d(ids, undefined, 'int32');
    const r = rng.normalTensor([2, 3, dim]);
    const { value, grads } = await expectNoLeaks(
      () =>
        tf.variableGrads(
          () => tf.sum(tf.mul(embeddingLookup(weight, idsT), r)) as tf.Scalar,
          [weight],
        ),
      'lookup + gradient',
    );
    const rows = tf.reshape(tf.gather(weight, tf.reshape(idsT, [-1])), [2, 3, dim]);
    await expectClose(value, tf.sum(tf.mul(rows, r)), { atol: 1e-5, label: 'value' });
    const oneHot = tf.oneHot(tf.reshape(idsT, [-1]), num);
    const expected = tf.matMul(tf.transpose(oneHot), tf.reshape(r, [-1, dim]));
    await expectClose(grads[weight.name], expected, { atol: 1e-5, label: 'gradient' });
    tf.dispose([weight, idsT, r, value, rows, oneHot, expected, ...Object.values(grads)]);
  });

  it('leaves a frozen weight out of the gradient', () => {
    const weight = tf.variable(rng.normalTensor([num, dim]), false);
    const other = tf.variable(rng.normalTensor([dim]));
    const idsT = tf.tensor2d(ids, undefined, 'int32');
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(embeddingLookup(weight, idsT), other)) as tf.Scalar,
    );
    expect(Object.keys(grads)).toEqual([other.name]);
    tf.dispose([weight, other, idsT, value, ...Object.values(grads)]);
  });
});
