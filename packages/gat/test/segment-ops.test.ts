import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { EdgeIndex } from '../src/index.js';
import { segmentSoftmax } from '../src/ops/segment-softmax.js';

/** PyG's softmax in float64: per target, exp(e − max) / (Σ exp(e − max) + 1e-16). */
function softmaxPerTarget(scores: number[], targets: number[]): number[] {
  const max = new Map<number, number>();
  for (const [e, t] of targets.entries()) max.set(t, Math.max(max.get(t) ?? -Infinity, scores[e]));
  const sum = new Map<number, number>();
  const shifted = scores.map((s, e) => Math.exp(s - max.get(targets[e])!));
  for (const [e, t] of targets.entries()) sum.set(t, (sum.get(t) ?? 0) + shifted[e]);
  return shifted.map((v, e) => v / (sum.get(targets[e])! + 1e-16));
}

/** One-hot `[numSegments, E]`: segment sums as a matMul, for composite references. */
function membership(ids: number[], numSegments: number): tf.Tensor {
  return tf.tidy(() =>
    tf.transpose(tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), numSegments), 'float32')),
  );
}

describeBackends('segment ops', () => {
  it('segment softmax uses an exact per-target shift: no underflow when targets differ by far', async () => {
    // Target 0's scores sit ~300 above target 1's: a shared shift would make exp() underflow to 0
    // for every edge of target 1 (alpha 0 instead of a distribution).
    const graph = EdgeIndex.from([
      [0, 1, 2, 0, 3],
      [0, 0, 1, 1, 1],
    ]);
    const plan = graph.plan(4, false);
    const scores = [300, 301, -1, 0, -2];
    const alpha = segmentSoftmax(tf.tensor2d(scores, [5, 1]), plan.layout);
    await expectClose(alpha, softmaxPerTarget(scores, [0, 0, 1, 1, 1]), { atol: 1e-6 });
    alpha.dispose();
    graph.dispose();
  });

  it('segment softmax matches float64 PyG on an irregular graph with huge spreads', async () => {
    // In-degrees 0 to 40 (the doubling scan needs several steps), spreads of hundreds per target.
    const rng = new Rng(3);
    const sources: number[] = [];
    const targets: number[] = [];
    const degrees = [0, 1, 2, 3, 5, 8, 13, 40, 7];
    degrees.forEach((degree, t) => {
      for (let k = 0; k < degree; k++) {
        sources.push(rng.int(degrees.length));
        targets.push(t);
      }
    });
    const order = rng.shuffle([...targets.keys()]);
    const shuffledTargets = order.map((e) => targets[e]);
    const graph = EdgeIndex.from([order.map((e) => sources[e]), shuffledTargets]);
    const plan = graph.plan(degrees.length, false);
    const heads = 2;
    // Rounded to float32 first so the float64 reference sees the same inputs.
    const scores = Array.from({ length: targets.length * heads }, () =>
      Math.fround((rng.random() - 0.5) * 400),
    );
    const input = tf.tensor2d(scores, [targets.length, heads]);
    const alpha = await expectNoLeaks(() => segmentSoftmax(input, plan.layout));
    const column = (h: number) => scores.filter((_, k) => k % heads === h);
    const expected = column(0).flatMap((_, e) =>
      [0, 1].map((h) => softmaxPerTarget(column(h), shuffledTargets)[e]),
    );
    await expectClose(alpha, expected, { atol: 1e-6, label: 'alpha' });
    tf.dispose([input, alpha]);
    graph.dispose();
  });

  it('segment softmax gradient equals the composite (one-hot matMul) softmax gradient', async () => {
    const ids = [2, 0, 2, 1, 0, 2, 2];
    const graph = EdgeIndex.from([ids.map(() => 0), ids]);
    const plan = graph.plan(3, false);
    const e = new Rng(5).normalTensor([ids.length, 2]);
    const r = new Rng(6).normalTensor([ids.length, 2]);
    const members = membership(ids, 3);
    const composite = (x: tf.Tensor) => {
      const ex = tf.exp(x);
      const perEdgeSum = tf.matMul(tf.transpose(members), tf.matMul(members, ex));
      return tf.div(ex, perEdgeSum);
    };
    const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(segmentSoftmax(x, plan.layout), r)))(e);
    const reference = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(composite(x), r)))(e);
    await expectClose(ours, reference, { atol: 1e-6, label: 'd alpha / d scores' });
    tf.dispose([e, r, members, ours, reference]);
    graph.dispose();
  });
});
