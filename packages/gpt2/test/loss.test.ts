import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { causalLmLoss, IGNORE_INDEX, labelsFromMask } from '../src/index.js';

/** The plain formula on full logits: mean over kept t of −log softmax(h_t·Wᵀ)[labels[t+1]]. */
function referenceLoss(hidden: tf.Tensor3D, weight: tf.Tensor2D, labels: number[][]): tf.Scalar {
  const [batch, length, channels] = hidden.shape;
  const flat = tf.matMul(tf.reshape(hidden, [batch * length, channels]), tf.transpose(weight));
  const logProbs = tf.reshape(tf.logSoftmax(flat), [batch, length, -1]);
  const terms: tf.Tensor[] = [];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t + 1 < length; t++) {
      const label = labels[b][t + 1];
      if (label !== IGNORE_INDEX) terms.push(tf.slice(logProbs, [b, t, label], [1, 1, 1]));
    }
  }
  return tf.neg(tf.div(tf.addN(terms.map((x) => tf.sum(x))), terms.length)) as tf.Scalar;
}

describeBackends('causalLmLoss (chunked cross-entropy)', () => {
  const rng = new Rng(3);
  const [batch, length, channels, vocab] = [2, 5, 4, 11];
  const labels = [
    [3, 7, 1, 10, IGNORE_INDEX],
    [IGNORE_INDEX, 0, 2, 2, 5],
  ];

  it('equals the full-logits loss, and so do its gradients (hidden and a trainable head)', async () => {
    const hidden = rng.normalTensor([batch, length, channels]) as tf.Tensor3D;
    const weight = tf.variable(rng.normalTensor([vocab, channels])) as tf.Variable<tf.Rank.R2>;
    const labelTensor = tf.tensor2d(labels, undefined, 'int32');
    // Small chunks and vocabulary blocks exercise the blocked paths of the fused loss.
    for (const [chunkRows, vocabBlock] of [
      [3, 4],
      [256, 1000],
    ]) {
      const ours = await expectNoLeaks(() =>
        tf.tidy(() => causalLmLoss(hidden, weight, labelTensor, { chunkRows, vocabBlock })),
      );
      const reference = referenceLoss(hidden, weight, labels);
      const label = `chunks of ${chunkRows}, vocabulary blocks of ${vocabBlock}`;
      await expectClose(ours, reference, { atol: 1e-5, label: `loss, ${label}` });
      const grads = (f: (h: tf.Tensor, w: tf.Tensor) => tf.Scalar) =>
        tf.grads((h: tf.Tensor, w: tf.Tensor) => f(h, w))([hidden, weight]);
      const [dhOurs, dwOurs] = grads((h, w) =>
        causalLmLoss(h as tf.Tensor3D, w as tf.Tensor2D, labelTensor, { chunkRows, vocabBlock }),
      );
      const [dhRef, dwRef] = grads((h, w) =>
        referenceLoss(h as tf.Tensor3D, w as tf.Tensor2D, labels),
      );
      await expectClose(dhOurs, dhRef, { atol: 1e-5, label: 'gradient of hidden' });
      await expectClose(dwOurs, dwRef, { atol: 1e-5, label: 'gradient of the head' });
      tf.dispose([ours, reference, dhOurs, dwOurs, dhRef, dwRef]);
    }
    tf.dispose([hidden, weight, labelTensor]);
  });

  it('computes no head gradient for a frozen head', () => {
    const hidden = tf.variable(rng.normalTensor([batch, length, channels]));
    const weight = tf.variable(
      rng.normalTensor([vocab, channels]),
      false,
    ) as tf.Variable<tf.Rank.R2>;
    const labelTensor = tf.tensor2d(labels, undefined, 'int32');
    const { value, grads } = tf.variableGrads(() =>
      causalLmLoss(hidden as tf.Variable<tf.Rank.R3>, weight, labelTensor),
    );
    expect(Object.keys(grads)).toEqual([hidden.name]);
    tf.dispose([hidden, weight, labelTensor, value, ...Object.values(grads)]);
  });

  it('labelsFromMask ignores padded positions', async () => {
    const labelTensor = labelsFromMask(
      tf.tensor2d([[5, 6, 7]], undefined, 'int32'),
      tf.tensor2d([[1, 1, 0]], undefined, 'int32'),
    );
    expect(await labelTensor.array()).toEqual([[5, 6, IGNORE_INDEX]]);
    labelTensor.dispose();
  });
});
