import { applyDropoutMask, dropoutMask, Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { MASKED } from '../src/attention-bias.js';
import { attend, attendQkv } from '../src/attention-core.js';

/** The composite the custom ops replace: tfjs's own ops, differentiated by autodiff. */
function composite(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  bias: tf.Tensor,
  divisor: number,
  mask: tf.Tensor | null,
): tf.Tensor {
  const probs = tf.softmax(tf.add(tf.div(tf.matMul(q, k, false, true), divisor), bias));
  return tf.matMul(mask ? applyDropoutMask(probs, mask, 0.25) : probs, v);
}

describeBackends('attention custom ops equal the composite', () => {
  const rng = new Rng(13);
  const [batch, heads, length, headDim] = [2, 3, 5, 4];
  // A causal bias with one padded key in the second row.
  const causalPaddedBias = () =>
    tf.tidy(() => {
      const causal = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
      const padded = tf.tensor2d([
        [1, 1, 1, 1, 1],
        [0, 1, 1, 1, 1],
      ]);
      const allowed = tf.mul(
        tf.reshape(causal, [1, 1, length, length]),
        tf.reshape(padded, [batch, 1, 1, length]),
      );
      return tf.mul(tf.sub(1, allowed), MASKED) as tf.Tensor4D;
    });

  for (const withDropout of [false, true]) {
    it(`attend (q, k, v)${withDropout ? ' with dropout' : ''}: output and gradients`, async () => {
      const bias = causalPaddedBias();
      const [q, k, v] = [0, 1, 2].map(
        () => rng.normalTensor([batch, heads, length, headDim]) as tf.Tensor4D,
      );
      const mask = withDropout
        ? dropoutMask([batch, heads, length, length], 0.25, new Rng(2))
        : null;
      const options = { divisor: 2, dropout: mask ? { mask, p: 0.25 } : null };
      const dy = rng.normalTensor([batch, heads, length, headDim]);
      const loss =
        (f: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor) =>
        (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(f(a, b, c), dy));
      const ours = await expectNoLeaks(() =>
        tf.grads(
          loss((a, b, c) =>
            attend(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, bias, options),
          ),
        )([q, k, v]),
      );
      const expected = tf.grads(loss((a, b, c) => composite(a, b, c, bias, 2, mask)))([q, k, v]);
      await expectClose(attend(q, k, v, bias, options), composite(q, k, v, bias, 2, mask), {
        atol: 1e-5,
        label: 'output',
      });
      for (const [i, name] of ['q', 'k', 'v'].entries()) {
        await expectClose(ours[i], expected[i], { atol: 1e-4, label: `gradient of ${name}` });
      }
      tf.dispose([bias, q, k, v, dy, ...ours, ...expected, ...(mask ? [mask] : [])]);
    });
  }

  it('attendQkv splits and merges heads like Hugging Face: output and gradient', async () => {
    const bias = causalPaddedBias();
    const qkv = rng.normalTensor([batch, length, 3 * heads * headDim]) as tf.Tensor3D;
    const mask = dropoutMask([batch, heads, length, length], 0.25, new Rng(3));
    const options = { divisor: 2, dropout: { mask, p: 0.25 } };
    const viaHeads = (x: tf.Tensor) => {
      const [q, k, v] = tf
        .split(x, 3, 2)
        .map((t) => tf.transpose(tf.reshape(t, [batch, length, heads, headDim]), [0, 2, 1, 3]));
      const context = composite(q, k, v, bias, 2, mask);
      return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, heads * headDim]);
    };
    const dy = rng.normalTensor([batch, length, heads * headDim]);
    const grad = (f: (x: tf.Tensor) => tf.Tensor) =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), dy)))(qkv);
    const ours = await expectNoLeaks(() =>
      grad((x) => attendQkv(x as tf.Tensor3D, bias, heads, options)),
    );
    await expectClose(attendQkv(qkv, bias, heads, options), viaHeads(qkv), {
      atol: 1e-5,
      label: 'output',
    });
    await expectClose(ours, grad(viaHeads), { atol: 1e-4, label: 'gradient of qkv' });
    tf.dispose([bias, qkv, mask, dy, ours]);
  });
});
