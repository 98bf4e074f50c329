import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ChebyKANLayer, FastKANLayer } from '../src/index.js';

const [ROWS, IN, OUT] = [5, 3, 4];

function randomInput(rng: Rng, scale = 2): tf.Tensor2D {
  return tf.tensor2d(rng.uniformArray(ROWS * IN, -scale, scale), [ROWS, IN]);
}

describeBackends('FastKANLayer and ChebyKANLayer', () => {
  it('FastKAN: reference state-dict names, and the RBF formula (checked in float64)', async () => {
    const rng = new Rng(1);
    const numGrids = 6;
    const layer = new FastKANLayer({ inFeatures: IN, outFeatures: OUT, numGrids, rng });
    expect(Object.keys(layer.stateDict()).sort()).toEqual([
      'base_linear.bias',
      'base_linear.weight',
      'layernorm.bias',
      'layernorm.weight',
      'rbf.grid',
      'spline_linear.weight',
    ]);
    expect(layer.parameters({ trainableOnly: true })).not.toContain(layer.rbf.grid);
    const x = randomInput(rng);
    const y = await expectNoLeaks(() => layer.forward(x), 'FastKAN forward');

    const [xs, centres, ws, bw, bb] = await Promise.all(
      [
        x,
        layer.rbf.grid,
        layer.splineLinear.weight,
        layer.baseLinear!.weight,
        layer.baseLinear!.bias!,
      ].map((t) => t.data()),
    );
    const h = layer.rbf.denominator;
    const expected = new Float64Array(ROWS * OUT);
    for (let r = 0; r < ROWS; r++) {
      const row = Array.from(xs.subarray(r * IN, (r + 1) * IN));
      const mean = row.reduce((a, b) => a + b) / IN;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / IN;
      const normed = row.map((v) => (v - mean) / Math.sqrt(variance + 1e-5)); // LayerNorm at init
      for (let o = 0; o < OUT; o++) {
        let sum = bb[o];
        for (let i = 0; i < IN; i++) {
          for (let g = 0; g < numGrids; g++) {
            const basis = Math.exp(-(((normed[i] - centres[g]) / h) ** 2));
            sum += basis * ws[o * IN * numGrids + i * numGrids + g];
          }
          sum += (row[i] / (1 + Math.exp(-row[i]))) * bw[o * IN + i];
        }
        expected[r * OUT + o] = sum;
      }
    }
    await expectClose(y, expected, { atol: 1e-5, label: 'FastKAN output' });
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('ChebyKAN: matches Σ c·cos(d·acos(tanh x)) and keeps leading axes', async () => {
    const rng = new Rng(2);
    const degree = 4;
    const layer = new ChebyKANLayer({ inFeatures: IN, outFeatures: OUT, degree, rng });
    expect(Object.keys(layer.stateDict())).toEqual(['cheby_coeffs']);
    const x = randomInput(rng);
    const y = await expectNoLeaks(() => layer.forward(x), 'ChebyKAN forward');
    const [xs, c] = await Promise.all([x.data(), layer.chebyCoeffs.data()]);
    const expected = new Float64Array(ROWS * OUT);
    for (let r = 0; r < ROWS; r++) {
      for (let o = 0; o < OUT; o++) {
        let sum = 0;
        for (let i = 0; i < IN; i++) {
          const theta = Math.acos(Math.tanh(xs[r * IN + i]));
          for (let d = 0; d <= degree; d++)
            sum += c[(i * OUT + o) * (degree + 1) + d] * Math.cos(d * theta);
        }
        expected[r * OUT + o] = sum;
      }
    }
    await expectClose(y, expected, { atol: 1e-6, label: 'ChebyKAN output' });
    const x3 = tf.reshape(x, [1, ROWS, IN]);
    const y3 = layer.forward(x3);
    expect(y3.shape).toEqual([1, ROWS, OUT]);
    tf.dispose([x, y, x3, y3]);
    layer.dispose();
  });

  it('ChebyKAN: finite gradients where tanh saturates to ±1 (the acos form gives NaN there)', async () => {
    const layer = new ChebyKANLayer({
      inFeatures: IN,
      outFeatures: OUT,
      degree: 5,
      rng: new Rng(3),
    });
    const x = tf.variable(randomInput(new Rng(4), 1e4));
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.forward(x)) as tf.Scalar);
    for (const g of Object.values(grads))
      expect((await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, value, ...Object.values(grads)]);
    layer.dispose();
  });

  it('FastKAN trains: every trainable parameter gets a finite gradient', async () => {
    const layer = new FastKANLayer({ inFeatures: IN, outFeatures: OUT, rng: new Rng(5) });
    const x = randomInput(new Rng(6));
    const { value, grads } = await expectNoLeaks(
      () => tf.variableGrads(() => tf.mean(tf.square(layer.forward(x))) as tf.Scalar),
      'FastKAN train step',
    );
    expect(Object.keys(grads).length).toBe(layer.parameters({ trainableOnly: true }).length);
    for (const g of Object.values(grads))
      expect((await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, value, ...Object.values(grads)]);
    layer.dispose();
  });
});
