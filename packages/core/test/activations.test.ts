import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { geluTanh } from '../src/activations.js';

/** Hugging Face's `gelu_new` as written: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluNew(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

describeBackends('geluTanh', () => {
  it("equals gelu_new's tanh form, and so does its gradient", async () => {
    const x = tf.concat([new Rng(2).normalTensor([200]), tf.tensor1d([-9, -3, 0, 3, 9])]);
    const y = await expectNoLeaks(() => geluTanh(x), 'geluTanh');
    await expectClose(y, geluNew(x), { atol: 1e-6, label: 'value' });
    const grad = (f: (v: tf.Tensor) => tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(f(v)))(x);
    await expectClose(grad(geluTanh), grad(geluNew), { atol: 1e-5, label: 'gradient' });
    tf.dispose([x, y]);
  });
});
