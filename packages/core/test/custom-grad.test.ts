import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { customGrad } from '../src/index.js';
import { describeBackends, expectClose } from '../src/testing.js';

const double = customGrad(([x]) => ({
  value: tf.mul(x, 2),
  gradFunc: (dy) => [tf.mul(dy, 2)],
}));

describeBackends('customGrad', (backend) => {
  it("frees the upstream gradients autodiff makes, never a caller's dy", async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const dy = tf.tensor1d([1, 10, 100]);
    // Chained ops: the gradient of the inner output is made during the backward pass.
    const dx = tf.grads((v: tf.Tensor) => double(double(v)))([x], dy)[0];
    expect(dy.isDisposed).toBe(false);
    await expectClose(dx, [4, 40, 400], { atol: 0 });
    tf.dispose([x, dy, dx]);
  });

  it('keeps no upstream gradient alive: a longer chain holds no more tensors mid-backward', () => {
    // The probe runs first in the forward pass, so last in the backward pass.
    let live = 0;
    const probe = customGrad(([x]) => ({
      value: tf.mul(x, 1),
      gradFunc: (dy) => {
        live = tf.memory().numTensors;
        return [tf.mul(dy, 1)];
      },
    }));
    const liveAfter = (chain: number) => {
      const x = tf.tensor1d([1, 2]);
      const [dx] = tf.grads((v: tf.Tensor) => {
        let y = probe(v);
        for (let i = 0; i < chain; i++) y = double(y);
        return y;
      })([x]);
      tf.dispose([x, dx]);
      return live;
    };
    expect(liveAfter(8)).toBe(liveAfter(1));
  });

  it('shares buffers for clones on wasm (what autodiff saves), as cpu and webgpu do', async () => {
    expect(tf.getKernel('Identity', backend)).toBeDefined();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    x.dispose();
    await expectClose(y, [1, 2, 3], { atol: 0 });
    y.dispose();
  });
});
