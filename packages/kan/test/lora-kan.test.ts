import { isLinearLike, Module, Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import { getPeftModel, LoraLinear } from '@lgpt/lora';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { KANLinear } from '../src/index.js';

/** A model holding one KANLinear at `kan`, for `getPeftModel` to target. */
class KanHolder extends Module {
  kan: KANLinear | LoraLinear;

  constructor(kan: KANLinear) {
    super();
    this.kan = this.registerModule('kan', kan);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.kan.forward(x);
  }
}

describeBackends('LoRA-KAN: adapters on the base path of a frozen KANLinear', () => {
  it('is a LinearLike whose weight is base_weight applied to silu(x)', async () => {
    const kan = new KANLinear({ inFeatures: 4, outFeatures: 3, rng: new Rng(1) });
    expect(isLinearLike(kan)).toBe(true);
    expect(kan.weight).toBe(kan.baseWeight);
    expect(kan.fanInFanOut).toBe(false);
    const x = tf.reshape(tf.linspace(-2, 2, 8), [2, 4]);
    const expected = tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
    await expectClose(kan.weightInput(x), expected, { atol: 1e-6, label: 'silu' });
    tf.dispose([x, expected]);
    kan.dispose();
  });

  it('trains only the adapters: base and spline weights frozen, loss decreases', async () => {
    const rng = new Rng(3);
    const [inFeatures, outFeatures, rows] = [6, 4, 32];
    const kan = new KANLinear({ inFeatures, outFeatures, rng });
    kan.requiresGrad(false);
    const frozen = kan.parameters();
    const before = frozen.map((p) => p.clone());
    const peft = getPeftModel(
      new KanHolder(kan),
      { r: 2, loraAlpha: 4, targetModules: ['kan'] },
      'default',
      { rng },
    );
    const model = peft.model;
    const lora = model.getSubmodule('kan') as LoraLinear;
    expect(lora).toBeInstanceOf(LoraLinear);
    const loraA = lora.loraA.get('default').weight;
    const loraB = lora.loraB.get('default').weight;
    expect(model.parameters({ trainableOnly: true })).toEqual([loraA, loraB]);

    const x = tf.tensor2d(rng.uniformArray(rows * inFeatures, -1, 1), [rows, inFeatures]);
    // A target a rank-2 update of the base path can reach: kan(x) + silu(x)·(B·A)ᵀ.
    const delta = tf.tidy(() =>
      tf.matMul(
        tf.tensor2d(rng.uniformArray(outFeatures * 2, -1, 1), [outFeatures, 2]),
        tf.tensor2d(rng.uniformArray(2 * inFeatures, -1, 1), [2, inFeatures]),
      ),
    );
    const target = tf.tidy(() =>
      tf.add(kan.forward(x), tf.matMul(kan.weightInput(x), tf.transpose(delta))),
    );
    delta.dispose();
    const optimizer: tf.Optimizer = tf.train.adam(0.05);
    const lossFn = () => tf.mean(tf.square(tf.sub(model.forward(x), target))) as tf.Scalar;
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const { value, grads } = await expectNoLeaks(() => tf.variableGrads(lossFn), 'train step');
      expect(Object.keys(grads).sort()).toEqual([loraA.name, loraB.name].sort());
      optimizer.applyGradients(grads);
      losses.push((await value.data())[0]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses.at(-1)!).toBeLessThan(0.1 * losses[0]);
    // Frozen weights are bit-for-bit unchanged and the optimizer holds state only for adapters.
    for (const [i, p] of frozen.entries()) await expectClose(p, before[i], { atol: 0 });
    const slots = optimizer.getWeights().then((w) => w.map((v) => v.name));
    for (const name of await slots) {
      expect(frozen.some((p) => name.startsWith(p.name))).toBe(false);
    }
    expect(await loraB.data()).not.toEqual(new Float32Array(outFeatures * 2));
    optimizer.dispose();
    tf.dispose([x, target, ...before]);
    model.dispose();
  });
});
