import { describeBackends, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GPT2LMHeadModel } from '../src/index.js';
import { goldenJson, MODEL_DIR } from './support/fixtures.js';

describeBackends('training', () => {
  let model: GPT2LMHeadModel;
  const { input_ids: ids, attention_mask: mask } = goldenJson();

  beforeAll(async () => {
    model = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
  });
  afterAll(() => model.dispose());

  /** Mean next-token cross-entropy over real tokens. */
  const loss = () =>
    tf.tidy(() => {
      const { logits } = model.forward(ids, { attentionMask: mask });
      const [batch, length, vocab] = logits.shape;
      const predicted = tf.slice(logits, [0, 0, 0], [batch, length - 1, vocab]);
      const targets = tf.oneHot(
        tf.tensor2d(
          ids.map((r) => r.slice(1)),
          undefined,
          'int32',
        ),
        vocab,
      );
      const weights = tf.tensor2d(mask.map((r) => r.slice(1)));
      const perToken = tf.losses.softmaxCrossEntropy(targets, predicted, weights);
      return perToken as tf.Scalar;
    });

  it('gives every trainable parameter a finite gradient, matching finite differences', async () => {
    const { value, grads } = await expectNoLeaks(() => tf.variableGrads(loss), 'train step');
    const names = model.namedParameters().map(([n]) => n);
    const byVariable = new Map(model.namedParameters().map(([n, p]) => [p.name, n]));
    expect(
      Object.keys(grads)
        .map((k) => byVariable.get(k))
        .sort(),
    ).toEqual([...names].sort());
    for (const g of Object.values(grads)) expect((await tf.all(tf.isFinite(g)).data())[0]).toBe(1);
    // d loss / d ln_f.bias[0] by central differences (float32: loose tolerance).
    const bias = model.transformer.lnF.bias;
    const analytic = (await grads[bias.name].data())[0];
    const original = bias.clone();
    const h = 1e-2;
    const shifted = async (delta: number) => {
      bias.assign(
        tf.tidy(() =>
          tf.add(original, tf.mul(tf.reshape(tf.oneHot([0], bias.shape[0]), bias.shape), delta)),
        ),
      );
      const l = loss();
      const v = (await l.data())[0];
      l.dispose();
      return v;
    };
    const numeric = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
    bias.assign(original);
    expect(Math.abs(numeric - analytic)).toBeLessThan(1e-3 + 0.02 * Math.abs(analytic));
    tf.dispose([value, original, ...Object.values(grads)]);
  });

  it('computes no gradient for frozen weights (tied embedding included)', () => {
    model.requiresGrad(false);
    model.transformer.lnF.requiresGrad(true);
    const { value, grads } = tf.variableGrads(loss);
    expect(Object.keys(grads).sort()).toEqual(
      [model.transformer.lnF.weight.name, model.transformer.lnF.bias.name].sort(),
    );
    tf.dispose([value, ...Object.values(grads)]);
    model.requiresGrad(true);
  });
});
