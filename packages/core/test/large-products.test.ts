import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { batchMatMul, linear, Rng } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

/**
 * Large products take other paths than small ones: lgpt's GEMM kernel on wasm (32 rows or more),
 * and elsewhere a wide `[out, in]` weight (more than 2000 rows) in cache-sized blocks when the
 * input has at least 256 rows. They must equal the plain products.
 */
describeBackends('linear and batchMatMul on large products (GEMM or blocked)', () => {
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

  it('Conv1D layout: equals x·W + b, and so do the input and weight gradients', async () => {
    const rng = new Rng(8);
    const x = rng.normalTensor([2, 50, 40]);
    const w = tf.variable(rng.normalTensor([40, 70]));
    const r = rng.normalTensor([2, 50, 70]);
    const loss = (f: (xi: tf.Tensor) => tf.Tensor) => (xi: tf.Tensor) => tf.sum(tf.mul(f(xi), r));
    const ours = (xi: tf.Tensor) => linear(xi, w, null, true);
    const plain = (xi: tf.Tensor) =>
      tf.reshape(tf.matMul(tf.reshape(xi, [100, 40]), w), [2, 50, 70]);
    await expectClose(await expectNoLeaks(() => ours(x)), plain(x), {
      atol: 1e-4,
      label: 'output',
    });
    const [oursW, plainW] = [ours, plain].map(
      (f) => tf.variableGrads(() => loss(f)(x) as tf.Scalar, [w]).grads[w.name],
    );
    await expectClose(oursW, plainW, { atol: 1e-3, label: 'weight grad' });
    await expectClose(tf.grad(loss(ours))(x), tf.grad(loss(plain))(x), {
      atol: 1e-3,
      label: 'input grad',
    });
    tf.dispose([x, w, r]);
  });

  it('batchMatMul of 96-row matrices with transposes, forward and gradients', async () => {
    const rng = new Rng(9);
    const a = rng.normalTensor([3, 20, 96]);
    const b = rng.normalTensor([3, 72, 20]);
    const r = rng.normalTensor([3, 96, 72]);
    const loss = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(f(x, y), r));
    const ours = await expectNoLeaks(() =>
      tf.grads(loss((x, y) => batchMatMul(x, y, true, true)))([a, b]),
    );
    const reference = tf.grads(loss((x, y) => tf.matMul(x, y, true, true)))([a, b]);
    await expectClose(batchMatMul(a, b, true, true), tf.matMul(a, b, true, true), {
      atol: 1e-4,
      label: 'product',
    });
    await expectClose(ours[0], reference[0], { atol: 1e-4, label: 'gradient of a' });
    await expectClose(ours[1], reference[1], { atol: 1e-4, label: 'gradient of b' });
    tf.dispose([a, b, r, ...ours, ...reference]);
  });
});
