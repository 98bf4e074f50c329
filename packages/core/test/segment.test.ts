import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { gatherRows, Rng, segmentSum } from '../src/index.js';
import { describeBackends, expectClose } from '../src/testing.js';

/** One-hot `[numSegments, E]`: segment sums as a matMul, for composite references. */
function membership(ids: number[], numSegments: number): tf.Tensor {
  return tf.tidy(() =>
    tf.transpose(tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), numSegments), 'float32')),
  );
}

describeBackends('segment ops', () => {
  it('gatherRows and segmentSum are adjoint and differentiable on every backend', async () => {
    // tf.gather's own gradient needs UnsortedSegmentSum, which the wasm backend lacks.
    const ids = [3, 0, 3, 1, 3];
    const idx = tf.tensor1d(ids, 'int32');
    const x = new Rng(7).normalTensor([4, 3]);
    const r = new Rng(8).normalTensor([5, 3]);
    const members = membership(ids, 4);
    const gathered = gatherRows(x, idx);
    await expectClose(gathered, tf.matMul(tf.transpose(members), x), { label: 'gather' });
    const summed = segmentSum(r, idx, 4);
    await expectClose(summed, tf.matMul(members, r), { label: 'segment sum (row 2 empty)' });
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, idx), r)))(x);
    await expectClose(dx, summed, { label: 'gather gradient' });
    const dr = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(segmentSum(t, idx, 4), x)))(r);
    await expectClose(dr, gathered, { label: 'segment sum gradient' });
    expect(summed.shape).toEqual([4, 3]);
    tf.dispose([idx, x, r, members, gathered, summed, dx, dr]);
  });
});
