import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  AdamW,
  clipGradNorm,
  constantSchedule,
  cosineSchedule,
  GradientAccumulator,
  LrScheduler,
  linearSchedule,
  scheduleByName,
} from '../src/index.js';

/** torch.nn.utils.clip_grad_norm_ in float64 on plain arrays. */
function clipReference(grads: number[][], maxNorm: number, p: number) {
  const norm = (v: number[]) =>
    p === Number.POSITIVE_INFINITY
      ? Math.max(...v.map(Math.abs))
      : v.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p);
  const total = norm(grads.map(norm));
  const scale = Math.min(1, maxNorm / (total + 1e-6));
  return { total, clipped: grads.map((g) => g.map((x) => x * scale)) };
}

describeBackends('gradient utilities', () => {
  const values = { a: [3, -4, 0.5], b: [12, 1] };

  for (const [p, maxNorm] of [
    [2, 5],
    [1, 100],
    [3, 2],
    [Number.POSITIVE_INFINITY, 1],
  ]) {
    it(`clipGradNorm with the ${p}-norm and maxNorm ${maxNorm} matches clip_grad_norm_`, async () => {
      const grads = { a: tf.tensor1d(values.a), b: tf.tensor2d([values.b]) };
      const out = await expectNoLeaks(() => clipGradNorm(grads, maxNorm, { normType: p }), 'clip');
      const ref = clipReference([values.a, values.b], maxNorm, p);
      await expectClose(out.totalNorm, ref.total, { rtol: 1e-5, label: 'total norm' });
      await expectClose(out.grads.a, ref.clipped[0], { atol: 1e-5, label: 'a' });
      await expectClose(out.grads.b, [ref.clipped[1]], { atol: 1e-5, label: 'b' });
      tf.dispose([grads, out.grads, out.totalNorm]);
    });
  }

  it('accumulated mean gradients equal the gradient of the whole batch', async () => {
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]));
    const unusedLater = tf.variable(tf.tensor1d([1]));
    const xs = [
      [1, 2, 3],
      [0, 1, -1],
      [2, 2, 2],
      [-1, 0, 4],
    ];
    const ys = [1, 0, 3, -2];
    const batchLoss = (rows: number[]) => () =>
      tf.tidy(() => {
        const x = tf.tensor2d(rows.map((r) => xs[r]));
        const y = tf.tensor1d(rows.map((r) => ys[r]));
        const pred = tf.squeeze(tf.matMul(x, tf.reshape(w, [3, 1])), [1]);
        const extra = rows[0] === 0 ? tf.sum(unusedLater) : tf.scalar(0);
        return tf.add(tf.mean(tf.square(tf.sub(pred, y))), extra) as tf.Scalar;
      });
    const acc = new GradientAccumulator();
    // The running sums belong to the accumulator until reset(): nothing else may stay behind.
    const { mean, sum } = await expectNoLeaks(() => {
      for (const micro of [
        [0, 1],
        [2, 3],
      ])
        acc.accumulate(batchLoss(micro), [w, unusedLater]).dispose();
      expect(acc.count).toBe(2);
      const results = { mean: acc.result(), sum: acc.result({ average: false }) };
      acc.reset();
      return results;
    }, 'accumulate');
    const full = tf.variableGrads(batchLoss([0, 1, 2, 3]), [w]);
    await expectClose(mean[w.name], full.grads[w.name], { atol: 1e-5, label: 'mean gradient' });
    // Present in one micro-batch of two: its mean gradient is half its single gradient.
    await expectClose(mean[unusedLater.name], [0.5], { atol: 1e-6, label: 'partial variable' });
    await expectClose(sum[w.name], tf.mul(full.grads[w.name], 2), { atol: 1e-5, label: 'sum' });
    tf.dispose([mean, sum, full.grads, full.value]);
    expect(() => acc.result()).toThrow('no gradients added');
    tf.dispose([w, unusedLater]);
  });
});

describe('learning-rate schedules (Hugging Face semantics)', () => {
  it('linear: warmup from 0, then decay to 0 at totalSteps, never below', () => {
    const f = linearSchedule({ warmupSteps: 2, totalSteps: 10 });
    expect([0, 1, 2, 6, 10, 12].map(f)).toEqual([0, 0.5, 1, 0.5, 0, 0]);
  });

  it('cosine: 1 after warmup, 1/2 halfway through the decay, 0 at the end', () => {
    const f = cosineSchedule({ warmupSteps: 4, totalSteps: 14 });
    expect(f(2)).toBe(0.5);
    expect(f(4)).toBe(1);
    expect(f(9)).toBeCloseTo(0.5, 12);
    expect(f(14)).toBeCloseTo(0, 12);
  });

  it('constant, with optional warmup; unknown names are an error', () => {
    expect([0, 5, 100].map(constantSchedule())).toEqual([1, 1, 1]);
    expect([0, 1, 2, 3].map(constantSchedule({ warmupSteps: 2 }))).toEqual([0, 0.5, 1, 1]);
    expect(() => scheduleByName('step', { totalSteps: 3 })).toThrow(
      "unknown schedule 'step' (known: constant, linear, cosine)",
    );
    expect(() => linearSchedule({ totalSteps: 0 })).toThrow('totalSteps');
  });

  it('LrScheduler sets the optimizer lr like LambdaLR, and resumes from lastStep', () => {
    const opt = new AdamW({ lr: 0.1 });
    const f = linearSchedule({ warmupSteps: 2, totalSteps: 4 });
    const scheduler = new LrScheduler(opt, f);
    const seen = [opt.lr];
    for (let i = 0; i < 4; i++) {
      scheduler.step();
      seen.push(opt.lr);
    }
    expect(seen).toEqual([0, 0.05, 0.1, 0.05, 0].map((v) => expect.closeTo(v, 15)));
    const resumed = new LrScheduler(opt, f, { baseLr: 0.1, lastStep: 1 });
    expect(resumed.stepCount).toBe(2);
    expect(opt.lr).toBeCloseTo(0.1, 15);
    opt.dispose();
  });
});
