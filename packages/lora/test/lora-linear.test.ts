import {
  Conv1D,
  dropout,
  Linear,
  type LinearLike,
  linear,
  Module,
  type Parameter,
  Rng,
} from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { LoraLinear } from '../src/lora-linear.js';
import {
  add,
  addRow,
  type Matrix,
  matmul,
  matrix,
  scale,
  transpose,
  vector,
} from './support/reference.js';

/** A base layer with a bias and weights drawn from `rng` (Conv1D's bias starts at zero). */
function base(kind: 'linear' | 'conv1d', inF: number, outF: number, rng: Rng): LinearLike {
  const layer = kind === 'linear' ? new Linear(inF, outF, { rng }) : new Conv1D(inF, outF, { rng });
  const bias = rng.normalTensor([outF]);
  layer.bias!.assign(bias);
  bias.dispose();
  return layer;
}

/** Weight as `[in, out]` whatever the layer's layout. */
async function weightInOut(layer: LinearLike): Promise<Matrix> {
  const w = await matrix(layer.weight);
  return layer.fanInFanOut ? w : transpose(w);
}

/** `x·W + b` in float64 on 2-D `x`. */
async function baseOutput(lora: LoraLinear, x: Matrix): Promise<Matrix> {
  return addRow(matmul(x, await weightInOut(lora.baseLayer)), await vector(lora.bias!));
}

/** `s·(x·Aᵀ)·Bᵀ` in float64. */
async function loraUpdate(lora: LoraLinear, x: Matrix, name = 'default'): Promise<Matrix> {
  const a = await matrix(lora.loraA.get(name).weight);
  const b = await matrix(lora.loraB.get(name).weight);
  return scale(matmul(matmul(x, transpose(a)), transpose(b)), lora.scaling[name]);
}

/** Reference `x·W + b + s·(x·Aᵀ)·Bᵀ`. */
async function reference(lora: LoraLinear, x: Matrix, name = 'default'): Promise<Matrix> {
  return add(await baseOutput(lora, x), await loraUpdate(lora, x, name));
}

/** Perturbs B (zero at init) so the adapter does something. */
function train(lora: LoraLinear, rng: Rng, name = 'default'): void {
  const b = lora.loraB.get(name).weight;
  const values = rng.normalTensor(b.shape);
  b.assign(values);
  values.dispose();
}

describeBackends('LoraLinear', () => {
  const rng = new Rng(7);

  it('computes x·W + b + s·(x·Aᵀ)·Bᵀ for Linear ([out, in]) and Conv1D ([in, out]) over leading dims', async () => {
    for (const kind of ['linear', 'conv1d'] as const) {
      const lora = new LoraLinear(base(kind, 6, 5, rng), 'default', { r: 3, loraAlpha: 6, rng });
      train(lora, rng);
      const x = rng.normalTensor([2, 4, 6]);
      const y = await expectNoLeaks(() => lora.forward(x), `${kind} forward`);
      expect(y.shape).toEqual([2, 4, 5]);
      const expected = await reference(lora, (await matrix(tf.reshape(x, [8, 6]))) as Matrix);
      await expectClose(y, expected.flat(), { atol: 1e-5, label: `${kind} output` });
      tf.dispose([x, y]);
      lora.dispose();
    }
  });

  it('leaves the output bit-identical while B is still zero (default init)', async () => {
    const layer = base('conv1d', 6, 4, rng);
    const x = rng.normalTensor([3, 6]);
    const before = layer.forward(x);
    const lora = new LoraLinear(layer, 'default', { r: 2, loraAlpha: 16, rng });
    expect(await lora.loraB.get('default').weight.data()).toEqual(new Float32Array(4 * 2));
    await expectClose(lora.forward(x), before, { atol: 0, label: 'untrained adapter' });
    lora.dispose();
  });

  it('computes gradients for A and B only (the frozen base gets none), equal to autodiff of the plain expression', async () => {
    const lora = new LoraLinear(base('linear', 5, 3, rng), 'default', { r: 2, loraAlpha: 4, rng });
    train(lora, rng);
    const x = rng.normalTensor([4, 5]);
    const r = rng.normalTensor([4, 3]);
    const a = lora.loraA.get('default').weight;
    const b = lora.loraB.get('default').weight;
    const all = [lora.weight, lora.bias!, a, b];
    const { grads, value } = await expectNoLeaks(
      () => tf.variableGrads(() => tf.sum(tf.mul(lora.forward(x), r)) as tf.Scalar, all),
      'backward',
    );
    // variableGrads lists the frozen variables it was given with a null gradient
    const computed = Object.keys(grads).filter((k) => grads[k] !== null);
    expect(computed.sort()).toEqual([a.name, b.name].sort());
    expect([grads[lora.weight.name], grads[lora.bias!.name]]).toEqual([null, null]);
    const plain = tf.grads((av: tf.Tensor, bv: tf.Tensor) => {
      const delta = tf.matMul(tf.matMul(x, tf.transpose(av)), tf.transpose(bv));
      const y = tf.add(
        tf.add(tf.matMul(x, tf.transpose(lora.weight)), lora.bias!),
        tf.mul(delta, 2),
      );
      return tf.sum(tf.mul(y, r));
    })([a, b]);
    await expectClose(grads[a.name], plain[0], { atol: 1e-5, label: 'dA' });
    await expectClose(grads[b.name], plain[1], { atol: 1e-5, label: 'dB' });
    tf.dispose([x, r, value, grads[a.name], grads[b.name], ...plain]);
    lora.dispose();
  });

  it('merge() adds s·(B·A) to W in its own layout (transposed for Conv1D); unmerge() restores W', async () => {
    for (const kind of ['linear', 'conv1d'] as const) {
      const lora = new LoraLinear(base(kind, 4, 6, rng), 'default', { r: 2, loraAlpha: 3, rng });
      train(lora, rng);
      const x = rng.normalTensor([5, 4]);
      const unmerged = lora.forward(x);
      const w0 = await matrix(lora.weight);
      const ba = scale(
        matmul(
          await matrix(lora.loraB.get('default').weight),
          await matrix(lora.loraA.get('default').weight),
        ),
        lora.scaling.default,
      );
      await expectNoLeaks(() => lora.merge(), 'merge');
      expect(lora.merged).toBe(true);
      await expectClose(lora.weight, add(w0, kind === 'conv1d' ? transpose(ba) : ba), {
        atol: 1e-6,
        label: `${kind} merged weight`,
      });
      await expectClose(lora.forward(x), unmerged, { atol: 1e-5, label: `${kind} merged output` });
      await expectNoLeaks(() => lora.unmerge(), 'unmerge');
      await expectClose(lora.weight, w0, { atol: 1e-6, label: `${kind} unmerged weight` });
      tf.dispose([x, unmerged]);
      lora.dispose();
    }
  });

  it('applies dropout to the LoRA input only, in train mode', async () => {
    const options = { r: 3, loraAlpha: 3, loraDropout: 0.5 };
    const lora = new LoraLinear(base('linear', 8, 4, rng), 'default', {
      ...options,
      rng: new Rng(11),
    });
    // A twin built from the same seed leaves its generator where lora's is: the next mask is the same.
    const twinRng = new Rng(11);
    new LoraLinear(base('linear', 8, 4, rng), 'default', { ...options, rng: twinRng }).dispose();
    train(lora, rng);
    const x = rng.normalTensor([6, 8]);
    const y = lora.forward(x);
    const dropped = dropout(x, 0.5, twinRng);
    const xm = await matrix(x);
    const want = add(await baseOutput(lora, xm), await loraUpdate(lora, await matrix(dropped)));
    await expectClose(y, want, { atol: 1e-5, label: 'train-mode output' });
    lora.eval();
    await expectClose(lora.forward(x), await reference(lora, xm), {
      atol: 1e-5,
      label: 'eval-mode output',
    });
    tf.dispose([x, y, dropped]);
    lora.dispose();
  });

  it('loraBias adds a trainable lora_B bias that merges (scaled) into the base bias', async () => {
    const lora = new LoraLinear(base('conv1d', 4, 3, rng), 'default', {
      r: 2,
      loraAlpha: 4,
      loraBias: true,
      rng,
    });
    const loraB = lora.loraB.get('default');
    expect(await loraB.bias!.data()).toEqual(new Float32Array(3));
    train(lora, rng);
    const values = rng.normalTensor([3]);
    loraB.bias!.assign(values);
    const x = rng.normalTensor([2, 4]);
    const withoutBias = await reference(lora, await matrix(x));
    const s = lora.scaling.default;
    const loraBias = await vector(values);
    await expectClose(
      lora.forward(x),
      addRow(
        withoutBias,
        loraBias.map((v) => v * s),
      ),
      {
        atol: 1e-5,
        label: 'output with lora bias',
      },
    );
    expect(loraB.bias!.trainable).toBe(true);
    const b0 = await vector(lora.bias!);
    lora.merge();
    await expectClose(
      lora.bias!,
      b0.map((v, i) => v + s * loraBias[i]),
      { atol: 1e-6, label: 'merged bias' },
    );
    lora.unmerge();
    await expectClose(lora.bias!, b0, { atol: 1e-6, label: 'unmerged bias' });
    tf.dispose([values, x]);
    lora.dispose();
  });

  it('scales by alpha/r, or alpha/sqrt(r) with useRslora; gaussian init draws A ~ N(0, 1/r)', async () => {
    const plain = new LoraLinear(base('linear', 4, 4, rng), 'default', { r: 4, loraAlpha: 8, rng });
    const rs = new LoraLinear(base('linear', 4, 4, rng), 'default', {
      r: 4,
      loraAlpha: 8,
      useRslora: true,
      rng,
    });
    expect([plain.scaling.default, rs.scaling.default]).toEqual([2, 4]);
    const gauss = new LoraLinear(base('linear', 512, 2, rng), 'default', {
      r: 4,
      loraAlpha: 4,
      initLoraWeights: 'gaussian',
      rng,
    });
    const a = Array.from(await gauss.loraA.get('default').weight.data());
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(Math.abs(std - 1 / 4)).toBeLessThan(0.02);
    expect(await gauss.loraB.get('default').weight.data()).toEqual(new Float32Array(8));
    for (const l of [plain, rs, gauss]) l.dispose();
  });

  it('DoRA: magnitude starts at ‖W + sBA‖ per output; y = m/‖W′‖·(x·W′ᵀ) + b; merges exactly; the norm gets no gradient', async () => {
    for (const kind of ['linear', 'conv1d'] as const) {
      const lora = new LoraLinear(base(kind, 5, 3, rng), 'default', {
        r: 2,
        loraAlpha: 4,
        useDora: true,
        rng,
      });
      const magnitude = lora.loraMagnitudeVector.get('default').weight;
      const wIo = await weightInOut(lora.baseLayer);
      const rowNorms = (m: Matrix) => transpose(m).map((row) => Math.hypot(...row));
      await expectClose(magnitude, rowNorms(wIo), { atol: 1e-5, label: 'initial magnitude' });
      train(lora, rng);
      const m = rng.uniform([3], 0.5, 1.5);
      magnitude.assign(m);
      const x = rng.normalTensor([4, 5]);
      const a = await matrix(lora.loraA.get('default').weight);
      const b = await matrix(lora.loraB.get('default').weight);
      const adaptedIo = add(wIo, scale(transpose(matmul(b, a)), lora.scaling.default));
      const norms = rowNorms(adaptedIo);
      const mv = await vector(m);
      const xw = matmul(await matrix(x), adaptedIo).map((row) =>
        row.map((v, j) => (v * mv[j]) / norms[j]),
      );
      const expected = addRow(xw, await vector(lora.bias!));
      await expectClose(lora.forward(x), expected, { atol: 1e-5, label: `${kind} DoRA output` });

      // d/dm of sum(y·R) with the norm held constant is Σ_rows R·(x·W′ᵀ)/‖W′‖.
      const r = rng.normalTensor([4, 3]);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(lora.forward(x), r)) as tf.Scalar,
        [magnitude],
      );
      const rv = await matrix(r);
      const xwRaw = matmul(await matrix(x), adaptedIo);
      const dm = norms.map((n, j) => xwRaw.reduce((s, row, i) => s + (rv[i][j] * row[j]) / n, 0));
      await expectClose(grads[magnitude.name], dm, { atol: 1e-4, label: `${kind} dm` });

      const w0 = await matrix(lora.weight);
      lora.merge();
      await expectClose(lora.forward(x), expected, {
        atol: 1e-5,
        label: `${kind} merged DoRA output`,
      });
      lora.unmerge();
      await expectClose(lora.weight, w0, { atol: 1e-5, label: `${kind} DoRA unmerged weight` });
      tf.dispose([m, x, r, ...Object.values(grads)]);
      lora.dispose();
    }
  });

  it('adds its update on weightInput(x), so a transformed-input base (KAN-like) merges exactly', async () => {
    const layer = new SiluPlusLinear(4, 3, rng);
    const lora = new LoraLinear(layer, 'default', { r: 2, loraAlpha: 2, rng });
    train(lora, rng);
    const x = rng.normalTensor([5, 4]);
    const y = lora.forward(x);
    const silu = await matrix(tf.mul(x, tf.sigmoid(x)));
    const a = await matrix(lora.loraA.get('default').weight);
    const b = await matrix(lora.loraB.get('default').weight);
    const update = scale(matmul(matmul(silu, transpose(a)), transpose(b)), lora.scaling.default);
    await expectClose(y, add(await matrix(layer.forward(x)), update), {
      atol: 1e-5,
      label: 'output',
    });
    lora.merge();
    await expectClose(lora.forward(x), y, { atol: 1e-5, label: 'merged output' });
    tf.dispose([x, y]);
    lora.dispose();
  });

  it('runs only active adapters, trains only them, and reassigns the active adapter on delete', async () => {
    const lora = new LoraLinear(base('linear', 4, 4, rng), 'default', { r: 2, loraAlpha: 2, rng });
    lora.updateLayer('other', { r: 3, loraAlpha: 6, rng });
    train(lora, rng, 'default');
    train(lora, rng, 'other');
    const x = rng.normalTensor([2, 4]);
    expect(lora.activeAdapters).toEqual(['default']);
    expect(lora.loraA.get('other').weight.trainable).toBe(false);
    await expectClose(lora.forward(x), await reference(lora, await matrix(x), 'default'), {
      atol: 1e-5,
    });
    lora.setAdapter('other');
    expect([
      lora.loraA.get('default').weight.trainable,
      lora.loraA.get('other').weight.trainable,
    ]).toEqual([false, true]);
    await expectClose(lora.forward(x), await reference(lora, await matrix(x), 'other'), {
      atol: 1e-5,
    });
    lora.deleteAdapter('other');
    expect(lora.activeAdapters).toEqual(['default']);
    expect(lora.adapterNames()).toEqual(['default']);
    tf.dispose(x);
    lora.dispose();
  });

  it('rejects r <= 0 with PEFT’s message', () => {
    expect(
      () => new LoraLinear(base('linear', 2, 2, rng), 'default', { r: 0, loraAlpha: 1 }),
    ).toThrow(/`r` should be a positive integer value but the value passed is 0/);
  });
});

/** A linear layer whose weight multiplies silu(x), plus a term without weight: KAN's base path in miniature. */
class SiluPlusLinear extends Module implements LinearLike {
  readonly fanInFanOut = false;
  weight: Parameter;
  bias: Parameter | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
  ) {
    super();
    this.weight = this.registerParameter('weight', rng.normalTensor([outFeatures, inFeatures]));
  }

  weightInput(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, tf.sigmoid(x));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(linear(this.weightInput(x), this.weight), tf.sum(x, -1, true));
  }
}
