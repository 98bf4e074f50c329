import { isLinearLike, type LinearLike, Module, type Parameter, Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { KANLinear } from '../src/index.js';

/**
 * A minimal stand-in for @lgpt/lora (written in parallel): `y = base(x) + s·B(A(weightInput(x)))`
 * with A `[r, in]`, B `[out, r]` zero-initialised, as PEFT does for a LinearLike.
 */
class TestLora extends Module {
  readonly loraA: Parameter;
  readonly loraB: Parameter;

  constructor(
    readonly base: LinearLike,
    readonly rank: number,
    readonly scaling: number,
    rng: Rng,
  ) {
    super();
    this.registerModule('base_layer', base);
    this.loraA = this.registerParameter(
      'lora_A',
      rng.uniform(
        [rank, base.inFeatures],
        -1 / Math.sqrt(base.inFeatures),
        1 / Math.sqrt(base.inFeatures),
      ),
    );
    this.loraB = this.registerParameter('lora_B', tf.zeros([base.outFeatures, rank]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const input = this.base.weightInput ? this.base.weightInput(x) : x;
      const update = tf.matMul(tf.matMul(input, this.loraA, false, true), this.loraB, false, true);
      return tf.add(this.base.forward(x), tf.mul(update, this.scaling));
    });
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
    const model = new TestLora(kan, 2, 2, rng);
    const frozen = kan.parameters();
    const before = frozen.map((p) => p.clone());
    expect(model.parameters({ trainableOnly: true })).toEqual([model.loraA, model.loraB]);

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
      expect(Object.keys(grads).sort()).toEqual([model.loraA.name, model.loraB.name].sort());
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
    expect(await model.loraB.data()).not.toEqual(new Float32Array(outFeatures * 2));
    optimizer.dispose();
    tf.dispose([x, target, ...before]);
    model.dispose();
  });
});
