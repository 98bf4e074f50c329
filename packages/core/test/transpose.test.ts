import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { Rng, transposeMatrix } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

describeBackends('transposeMatrix', () => {
  it('equals tf.transpose, through the 4-D path (rows a multiple of 512) and the 2-D one', async () => {
    const rng = new Rng(6);
    for (const shape of [
      [1024, 6],
      [512, 3],
      [7, 5],
    ]) {
      const x = rng.normalTensor(shape);
      const ours = await expectNoLeaks(() => transposeMatrix(x), 'transposeMatrix');
      await expectClose(ours, tf.transpose(x), { atol: 0, label: `[${shape}]` });
      tf.dispose([x, ours]);
    }
  });
});
