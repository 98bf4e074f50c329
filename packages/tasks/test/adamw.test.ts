import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks, fixturePath } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { AdamW } from '../src/index.js';

const FIXTURE = fixturePath('adamw');
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8'));
const hp = golden.hyperparams as {
  steps: number;
  lr: number;
  weight_decay: number;
  betas: [number, number];
  eps: number;
  correct_bias: boolean;
};

function fixtureOptimizer(): AdamW {
  return new AdamW({
    lr: hp.lr,
    betas: hp.betas,
    eps: hp.eps,
    weightDecay: hp.weight_decay,
    correctBias: hp.correct_bias,
  });
}

describeBackends('AdamW', () => {
  let g: Record<string, tf.Tensor>;
  let xs: Float32Array;
  beforeAll(async () => {
    g = await readSafetensors(join(FIXTURE, 'golden.safetensors'));
    xs = (await g.xs.data()) as Float32Array;
  });

  /** The reference protocol: loss = Σ(y − W·x)² with y = [x0 + x1, −x2]. */
  function loss(w: tf.Variable, step: number): tf.Scalar {
    const [x0, x1, x2] = xs.subarray(3 * step, 3 * step + 3);
    const x = tf.tensor2d([x0, x1, x2], [3, 1]);
    const y = tf.tensor2d([Math.fround(x0 + x1), -x2], [2, 1]);
    return tf.sum(tf.square(tf.sub(y, tf.matMul(w, x))));
  }

  it(`reproduces the reference run through minimize() (${hp.steps} steps)`, async () => {
    const w = tf.variable(g.initial_weight);
    const opt = fixtureOptimizer();
    const losses: tf.Scalar[] = [];
    const snapshots: tf.Tensor[] = [];
    const step = (t: number) => {
      losses.push(opt.minimize(() => loss(w, t), true, [w])!);
      snapshots.push(tf.clone(w));
    };
    step(0); // creates the optimizer state (m, v), which lives as long as the optimizer
    await expectNoLeaks(() => {
      for (let t = 1; t < hp.steps; t++) step(t);
      return [...snapshots.slice(1), ...losses.slice(1)];
    }, 'AdamW.minimize');
    const after = tf.stack(snapshots);
    await expectClose(tf.slice(after, 0, 10), tf.slice(g.weights_after_step, 0, 10), {
      atol: 1e-6,
      label: 'weights after the first 10 steps',
    });
    await expectClose(after, g.weights_after_step, {
      atol: 2e-5,
      label: 'weights after each step',
    });
    await expectClose(w, g.final_weight, { atol: 2e-5, label: 'final weight' });
    // The reference repo's own criterion against its optimizer_test.npy.
    await expectClose(w, g.optimizer_test_npy, { atol: 1e-6, rtol: 1e-4, label: 'vs npy' });
    await expectClose(tf.stack(losses), g.losses, { atol: 1e-5, rtol: 1e-4, label: 'losses' });
    const state = Object.fromEntries((await opt.getWeights()).map((e) => [e.name, e.tensor]));
    await expectClose(state[`${w.name}/exp_avg`], g.final_exp_avg, { atol: 1e-6, label: 'm' });
    await expectClose(state[`${w.name}/exp_avg_sq`], g.final_exp_avg_sq, {
      atol: 1e-7,
      label: 'v',
    });
    expect((await state[`${w.name}/step`].data())[0]).toBe(golden.final_state_step);
    expect(opt.iterations).toBe(hp.steps);
    tf.dispose([after, ...snapshots, ...losses, ...Object.values(state), w]);
    opt.dispose();
  });

  it('applies the stored gradients step by step through applyGradients()', async () => {
    const w = tf.variable(g.initial_weight);
    const opt = fixtureOptimizer();
    const grads = tf.unstack(g.grads);
    opt.applyGradients([{ name: w.name, tensor: grads[0] }]);
    await expectNoLeaks(() => {
      for (const grad of grads.slice(1)) opt.applyGradients([{ name: w.name, tensor: grad }]);
    }, 'AdamW.applyGradients');
    await expectClose(w, g.final_weight, { atol: 2e-5, label: 'final weight' });
    tf.dispose([w, ...grads]);
    opt.dispose();
  });

  it('keeps state only for variables that got a gradient; frozen ones stay untouched', async () => {
    const trained = tf.variable(tf.ones([2]), true);
    const frozen = tf.variable(tf.ones([2]), false);
    const unused = tf.variable(tf.ones([2]), true);
    const opt = new AdamW({ lr: 0.1, weightDecay: 0.01 });
    opt.minimize(() => tf.sum(tf.mul(trained, frozen)) as tf.Scalar, false, [
      trained,
      frozen,
      unused,
    ]);
    expect(opt.stateNames()).toEqual([trained.name]);
    await expectClose(frozen, [1, 1], { atol: 0, label: 'frozen' });
    await expectClose(unused, [1, 1], { atol: 0, label: 'unused' });
    // First step: m/(√v/√(1−β2)) = ±1, so p = 1 − lr·1, then decay p·(1 − lr·wd).
    await expectClose(trained, [(1 - 0.1) * (1 - 0.1 * 0.01), (1 - 0.1) * (1 - 0.1 * 0.01)], {
      atol: 1e-6,
      label: 'trained',
    });
    tf.dispose([trained, frozen, unused]);
    opt.dispose();
  });

  it('without correctBias steps by lr·m/(√v+ε)', async () => {
    const p = tf.variable(tf.tensor1d([0.5]));
    const opt = new AdamW({ lr: 0.01, correctBias: false, eps: 0 });
    opt.applyGradients({ [p.name]: tf.tensor1d([2]) });
    // m = 0.1·2 = 0.2, v = 0.001·4 = 0.004: p = 0.5 − 0.01·0.2/√0.004.
    await expectClose(p, [0.5 - (0.01 * 0.2) / Math.sqrt(0.004)], { atol: 1e-7, label: 'p' });
    tf.dispose(p);
    opt.dispose();
  });

  it('resumes exactly from stateDict() / loadStateDict() keyed by parameter names', async () => {
    const run = async (resumeAfter: number | null) => {
      let w = tf.variable(g.initial_weight);
      let opt = fixtureOptimizer();
      for (let t = 0; t < 30; t++) {
        if (t === resumeAfter) {
          // A restart: new variable and optimizer, state restored through plain tensors.
          const saved = opt.stateDict([['linear.weight', w]]);
          const value = tf.clone(w);
          opt.dispose();
          w.dispose();
          w = tf.variable(value);
          opt = fixtureOptimizer();
          await opt.loadStateDict(saved, [['linear.weight', w]]);
          tf.dispose([value, ...Object.values(saved)]);
        }
        opt.minimize(() => loss(w, t), false, [w]);
      }
      opt.dispose();
      return w;
    };
    const straight = await run(null);
    const resumed = await expectNoLeaks(() => run(12), 'resumed run');
    await expectClose(resumed, straight, { atol: 0, label: 'resumed vs uninterrupted' });
    tf.dispose([straight, resumed]);
  });

  it('round-trips getWeights() / setWeights() and rejects state of the wrong shape', async () => {
    const w = tf.variable(tf.ones([3]));
    const opt = new AdamW();
    opt.applyGradients({ [w.name]: tf.tensor1d([1, 2, 3]) });
    const weights = await opt.getWeights();
    const other = new AdamW();
    await other.setWeights(weights);
    expect(other.iterations).toBe(1);
    const back = await other.getWeights();
    expect(back.map((e) => e.name)).toEqual(weights.map((e) => e.name));
    for (let i = 0; i < back.length; i++) {
      await expectClose(back[i].tensor, weights[i].tensor, { atol: 0, label: back[i].name });
    }
    const bad = new AdamW();
    await expect(
      bad.loadStateDict(
        {
          iter: tf.scalar(1, 'int32'),
          'w/exp_avg': tf.zeros([2]),
          'w/exp_avg_sq': tf.zeros([2]),
          'w/step': tf.scalar(1, 'int32'),
        },
        [['w', w]],
      ),
    ).rejects.toThrow("state 'w/exp_avg' has shape [2], the variable has [3]");
    tf.dispose([w, ...weights.map((e) => e.tensor), ...back.map((e) => e.tensor)]);
    opt.dispose();
    other.dispose();
  });

  it('is a registered, serialisable tf.Optimizer', () => {
    const opt = new AdamW({ lr: 2e-5, weightDecay: 0.1 });
    expect(opt).toBeInstanceOf(tf.Optimizer);
    const cls = tf.serialization.SerializationMap.getMap().classNameMap.AdamW[0];
    const copy = cls.fromConfig(cls, opt.getConfig()) as AdamW;
    expect(copy.getConfig()).toEqual(opt.getConfig());
    expect(() => new AdamW({ betas: [0.9, 1] })).toThrow('betas[1]');
  });
});
