import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { linear, Rng } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

/**
 * `linear` takes a wide `[out, in]` weight (more than 2000 rows) in cache-sized blocks when the
 * input has at least 256 rows: the blocked products must equal the plain ones.
 */
describeBackends('linear with a wide weight (blocked products)', () => {
  it('equals x·Wᵀ + b, and so do the input, weight and bias gradients', async () => {
    const rng = new Rng(7);
    const x = rng.normalTensor([300, 8]);
    const w = tf.variable(rng.normalTensor([2100, 8]));
    const b = tf.variable(rng.normalTensor([2100]));
    const r = rng.normalTensor([300, 2100]);
    const ours = await expectNoLeaks(() => linear(x, w, b), 'linear');
    const plain = (xi: tf.Tensor) => tf.add(tf.matMul(xi, w, false, true), b);
    await expectClose(ours, plain(x), { atol: 1e-4, label: 'output' });
    const grads = (f: (xi: tf.Tensor) => tf.Tensor) =>
      tf.variableGrads(() => tf.sum(tf.mul(f(x), r)) as tf.Scalar, [w, b]).grads;
    const [oursGrads, plainGrads] = [grads((xi) => linear(xi, w, b)), grads(plain)];
    await expectClose(oursGrads[w.name], plainGrads[w.name], { atol: 1e-3, label: 'weight grad' });
    await expectClose(oursGrads[b.name], plainGrads[b.name], { atol: 1e-3, label: 'bias grad' });
    const dx = (f: (xi: tf.Tensor) => tf.Tensor) =>
      tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), r)))(x);
    await expectClose(
      dx((xi) => linear(xi, w, b)),
      dx(plain),
      { atol: 1e-3, label: 'input grad' },
    );
    tf.dispose([x, w, b, r, ours]);
  });
});
