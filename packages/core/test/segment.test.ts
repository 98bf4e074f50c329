import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { gatherRows, Rng, segmentSum } from '../src/index.js';
import { rowsAt } from '../src/ops/segment.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

/** One-hot `[numSegments, E]`: segment sums as a matMul, for composite references. */
function membership(ids: number[], numSegments: number): tf.Tensor {
  return tf.tidy(() =>
    tf.transpose(tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), numSegments), 'float32')),
  );
}

describeBackends('segment ops', (backend) => {
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

  it('takes rows by one copy each on wasm, as tf.gather does everywhere', async () => {
    const table = new Rng(3).normalTensor([7, 2, 5]);
    const idx = tf.tensor1d([6, 0, 6, 2], 'int32');
    const run = await tf.profile(() => expectNoLeaks(() => rowsAt(table, idx)));
    expect(run.kernelNames.includes('LgptGatherRows')).toBe(backend === 'wasm');
    const rows = rowsAt(table, idx);
    expect(rows.shape).toEqual([4, 2, 5]);
    await expectClose(rows, tf.gather(table, idx));
    tf.dispose([table, idx, rows]);
  });

  it.skipIf(backend !== 'wasm')(
    'names an index outside the table, leaving nothing allocated',
    () => {
      const table = tf.zeros([3, 4]);
      const idx = tf.tensor1d([1, 3], 'int32');
      const before = tf.memory().numTensors;
      expect(() => rowsAt(table, idx)).toThrow('gather: index 3 at position 1 is outside [0, 3)');
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([table, idx]);
    },
  );
});
