import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  Conv1D,
  Dropout,
  Embedding,
  LayerNorm,
  Linear,
  layerNorm,
  linear,
  Rng,
  stopGradient,
  withoutInit,
} from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

/** Reference math in float64 on plain arrays, independent of the code under test. */
function matmulRef(x: number[][], w: number[][]): number[][] {
  return x.map((row) => w[0].map((_, j) => row.reduce((s, v, k) => s + v * w[k][j], 0)));
}
const transpose = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));

describeBackends('core layers', () => {
  const rng = new Rng(1);

  it('Linear computes x·Wᵀ + b over leading dims and matches its autodiff', async () => {
    const layer = new Linear(5, 3, { rng });
    const x = rng.normalTensor([2, 4, 5]);
    const w = (await layer.weight.array()) as number[][];
    const b = (await layer.bias!.array()) as number[];
    const xs = ((await x.array()) as number[][][]).flat();
    const expected = matmulRef(xs, transpose(w)).map((r) => r.map((v, j) => v + b[j]));
    const y = await expectNoLeaks(() => tf.tidy(() => layer.forward(x)), 'Linear.forward');
    expect(y.shape).toEqual([2, 4, 3]);
    await expectClose(y, expected, { atol: 1e-5, label: 'Linear output' });

    // Gradients of sum(y * r) against the same expression through plain tfjs ops.
    const r = rng.normalTensor([2, 4, 3]);
    const loss = (f: () => tf.Tensor) => () => tf.sum(tf.mul(f(), r)) as tf.Scalar;
    const ours = tf.variableGrads(loss(() => layer.forward(x)));
    const ref = tf.variableGrads(
      loss(() =>
        tf.add(
          tf.reshape(tf.matMul(tf.reshape(x, [8, 5]), layer.weight, false, true), [2, 4, 3]),
          layer.bias!,
        ),
      ),
    );
    for (const v of [layer.weight, layer.bias!]) {
      await expectClose(ours.grads[v.name], ref.grads[v.name], {
        atol: 1e-4,
        label: `grad ${v.name}`,
      });
    }
    const dxOurs = tf.grad((xi: tf.Tensor) =>
      tf.sum(tf.mul(linear(xi, layer.weight, layer.bias), r)),
    )(x);
    const dxRef = tf.grad((xi: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.add(
            tf.reshape(tf.matMul(tf.reshape(xi, [8, 5]), layer.weight, false, true), [2, 4, 3]),
            layer.bias!,
          ),
          r,
        ),
      ),
    )(x);
    await expectClose(dxOurs, dxRef, { atol: 1e-4, label: 'grad x' });
    tf.dispose([x, y, r, dxOurs, dxRef, ...Object.values(ours.grads), ...Object.values(ref.grads)]);
    layer.dispose();
  });

  it('computes no gradient for a frozen weight', async () => {
    const layer = new Conv1D(4, 6, { rng });
    layer.weight.trainable = false;
    const x = rng.normalTensor([3, 4]);
    const { grads } = tf.variableGrads(() => tf.sum(layer.forward(x)) as tf.Scalar);
    expect(Object.keys(grads)).toEqual([layer.bias!.name]);
    await expectClose(grads[layer.bias!.name], [3, 3, 3, 3, 3, 3], { label: 'bias grad' });
    tf.dispose([x, ...Object.values(grads)]);
    layer.dispose();
  });

  it('Conv1D uses the [in, out] layout: y = x·W + b', async () => {
    const layer = new Conv1D(3, 2, { rng });
    layer.bias!.assign(tf.tensor1d([0.5, -1]));
    const x = rng.normalTensor([4, 3]);
    const expected = matmulRef(
      (await x.array()) as number[][],
      (await layer.weight.array()) as number[][],
    ).map((r) => [r[0] + 0.5, r[1] - 1]);
    const y = layer.forward(x);
    await expectClose(y, expected, { atol: 1e-5, label: 'Conv1D output' });
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('LayerNorm matches the formula and its gradients match autodiff of the composite', async () => {
    const ln = new LayerNorm(6, 1e-5);
    ln.weight.assign(rng.normalTensor([6], 1, 0.1));
    ln.bias.assign(rng.normalTensor([6], 0, 0.1));
    const x = rng.normalTensor([2, 3, 6], 0.5, 2);
    const w = (await ln.weight.array()) as number[];
    const b = (await ln.bias.array()) as number[];
    const expected = ((await x.array()) as number[][][]).flat().map((row) => {
      const mean = row.reduce((s, v) => s + v, 0) / row.length;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * w[i] + b[i]);
    });
    const y = ln.forward(x);
    await expectClose(y, expected, { atol: 1e-5, label: 'LayerNorm output' });

    const composite = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, 1e-5))), wi), bi);
    };
    const r = rng.normalTensor([2, 3, 6]);
    const ours = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(layerNorm(xi, wi, bi, 1e-5), r)),
    )([x, ln.weight, ln.bias]);
    const ref = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.mul(composite(xi, wi, bi), r)),
    )([x, ln.weight, ln.bias]);
    for (const [i, g] of ours.entries())
      await expectClose(g, ref[i], { atol: 1e-4, label: `LayerNorm grad ${i}` });
    tf.dispose([x, y, r, ...ours, ...ref]);
    ln.dispose();
  });

  it('Embedding gathers rows for any id shape', async () => {
    const emb = new Embedding(10, 4, { rng });
    const ids = tf.tensor2d(
      [
        [1, 9],
        [0, 1],
      ],
      [2, 2],
      'int32',
    );
    const y = emb.forward(ids);
    expect(y.shape).toEqual([2, 2, 4]);
    const table = (await emb.weight.array()) as number[][];
    await expectClose(
      y,
      [
        [table[1], table[9]],
        [table[0], table[1]],
      ],
      { atol: 0, label: 'rows' },
    );
    tf.dispose([ids, y]);
    emb.dispose();
  });

  it('Dropout is seeded, scales kept values, and is the identity in eval mode', async () => {
    const x = tf.ones([1000]);
    const run = (seed: number) => tf.tidy(() => new Dropout(0.25, new Rng(seed)).forward(x));
    const a = run(7);
    const b = run(7);
    const c = run(8);
    const values = await a.data();
    expect(Array.from(values)).toEqual(Array.from(await b.data()));
    expect(Array.from(values)).not.toEqual(Array.from(await c.data()));
    expect(new Set(values)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    const dropped = values.filter((v) => v === 0).length;
    expect(dropped).toBeGreaterThan(200);
    expect(dropped).toBeLessThan(300);
    const evalOut = new Dropout(0.25).eval().forward(x);
    expect(evalOut).toBe(x);
    tf.dispose([x, a, b, c]);
  });

  it('LayerNorm outside gradients (one kernel on wasm and webgpu) equals the ops, on rows of any width', async () => {
    const backend = tf.getBackend();
    for (const shape of [
      [3, 5, 771],
      [32, 768],
      [1, 3],
      // More rows than one dispatch holds workgroups: webgpu runs the ops.
      [66000, 2],
    ]) {
      const cols = shape[shape.length - 1];
      const x = rng.normalTensor(shape, 0.5, 2);
      const w = rng.normalTensor([cols], 1, 0.1);
      const b = rng.normalTensor([cols], 0, 0.1);
      const ops = tf.tidy(() => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), w), b);
      });
      const run = await tf.profile(() => expectNoLeaks(() => layerNorm(x, w, b, 1e-5)));
      const rows = x.size / cols;
      const kernel = backend === 'wasm' || (backend === 'webgpu' && rows <= 65535);
      expect(run.kernelNames.includes('LgptLayerNorm')).toBe(kernel);
      const y = run.result as tf.Tensor;
      await expectClose(y, ops, { atol: 2e-5, label: `LayerNorm ${shape}` });
      if (!kernel && backend === 'webgpu') {
        tf.dispose([x, w, b, ops, y]);
        continue;
      }
      // Under gradients the ops run, and save what the backward pass needs.
      const taped = await tf.profile(() =>
        tf.grads((xi: tf.Tensor) => layerNorm(xi, w, b, 1e-5))([x]),
      );
      expect(taped.kernelNames.includes('LgptLayerNorm')).toBe(false);
      tf.dispose([x, w, b, ops, y, taped.result as tf.Tensor[]]);
    }
  });

  it('LayerNorm computes no gradient for a frozen weight and bias', () => {
    const ln = new LayerNorm(4);
    ln.requiresGrad(false);
    const x = tf.variable(rng.normalTensor([2, 4]));
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(ln.forward(x))) as tf.Scalar);
    expect(Object.keys(grads)).toEqual([x.name]);
    tf.dispose([x, ...Object.values(grads)]);
    ln.dispose();
  });

  it('stopGradient passes values and blocks gradients', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, stopGradient(t))))(x);
    await expectClose(g, [1, 2, 3], { label: 'd/dt t·sg(t) = sg(t)' });
    tf.dispose([x, g]);
  });

  it('withoutInit builds modules with zero weights and no random draws', async () => {
    const before = new Rng(5);
    const shared = new Rng(5);
    const layer = withoutInit(() => new Linear(3, 2, { rng: shared }));
    expect(Array.from(await layer.weight.data())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(shared.random()).toBe(before.random());
    layer.dispose();
  });
});
