import { describeBackends, expectClose } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { gatherLastToken } from '../src/index.js';

describeBackends('gatherLastToken', () => {
  it("picks each row's last real token, right- or left-padded, and passes gradients back", async () => {
    // hidden[b, t] = [10b + t, -(10b + t)]
    const hidden = tf.tensor3d(
      [0, 1, 2, 3].flatMap((b) => [0, 1, 2].flatMap((t) => [10 * b + t, -(10 * b + t)])),
      [4, 3, 2],
    );
    const mask = [
      [1, 1, 1],
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 0],
    ];
    await expectClose(
      gatherLastToken(hidden, mask),
      [
        [2, -2],
        [11, -11],
        [22, -22],
        [30, -30],
      ],
      { label: 'last tokens' },
    );
    await expectClose(
      gatherLastToken(hidden),
      [
        [2, -2],
        [12, -12],
        [22, -22],
        [32, -32],
      ],
      {
        label: 'no mask: last position',
      },
    );
    const grad = tf.grad((h: tf.Tensor) => tf.sum(gatherLastToken(h as tf.Tensor3D, mask)))(hidden);
    const expected = mask.map((row) => {
      const last = row.lastIndexOf(1);
      return row.map((_, t) => (t === last ? [1, 1] : [0, 0]));
    });
    await expectClose(grad, expected, { label: 'gradient' });
    tf.dispose([hidden, grad]);
  });
});
