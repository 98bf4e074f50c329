import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { geluTanh } from '../src/activations.js';
import { Rng } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

/** Hugging Face's `gelu_new` as written: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluNew(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

describeBackends('geluTanh', (backend) => {
  it("equals gelu_new's tanh form, and so does its gradient", async () => {
    // 213 values: the kernel's vectors and a tail of one; both ends of σ's clamp (±20 and more).
    const x = tf.concat([
      new Rng(2).normalTensor([200], 0, 2),
      tf.tensor1d([-1000, -90, -20, -9, -3, -1e-3, 0, 1e-3, 3, 9, 20, 90, 1000]),
    ]);
    // The value is one kernel on wasm and webgpu.
    const run = await tf.profile(() => expectNoLeaks(() => geluTanh(x), 'geluTanh'));
    expect(run.kernelNames.includes('LgptGeluTanh')).toBe(
      backend === 'wasm' || backend === 'webgpu',
    );
    const y = run.result as tf.Tensor;
    await expectClose(y, geluNew(x), { atol: 1e-6, label: 'value' });
    // Weights unlike 1 everywhere, so the incoming gradient counts, element by element.
    const weights = new Rng(3).normalTensor([x.size]);
    const grad = (f: (v: tf.Tensor) => tf.Tensor) =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), weights)))(x);
    // Under gradients too, one kernel for the value and one for the gradient.
    const taped = await tf.profile(() => grad(geluTanh));
    for (const kernel of ['LgptGeluTanh', 'LgptGeluTanhGrad']) {
      expect(taped.kernelNames.includes(kernel)).toBe(backend === 'wasm' || backend === 'webgpu');
    }
    await expectClose(taped.result as tf.Tensor, grad(geluNew), { atol: 1e-5, label: 'gradient' });
    tf.dispose([x, y, weights, taped.result as tf.Tensor]);
  });
});
