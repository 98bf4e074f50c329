import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { KANLinear } from '../src/index.js';

/** Each edge's curve at each row, `[rows, in, out]`: Σ_c bases[r, i, c] · coeffs[o, i, c]. */
function curveValues(bases: tf.Tensor, coeffs: tf.Tensor): tf.Tensor {
  const byFeature = tf.matMul(
    tf.transpose(bases, [1, 0, 2]) as tf.Tensor3D, // [in, rows, coeffs]
    tf.transpose(coeffs, [1, 2, 0]) as tf.Tensor3D, // [in, coeffs, out]
  );
  return tf.transpose(byFeature, [1, 0, 2]);
}

describeBackends('KANLinear init, curve2coeff and errors', () => {
  it('initialises like reset_parameters: kaiming bounds, splines through small noise at the knots', async () => {
    const [inFeatures, outFeatures, gridSize, splineOrder, scaleNoise] = [7, 5, 6, 3, 0.1];
    const layer = new KANLinear({
      inFeatures,
      outFeatures,
      gridSize,
      splineOrder,
      rng: new Rng(11),
    });
    const bound = (Math.sqrt(3) * Math.sqrt(2 / (1 + 5))) / Math.sqrt(inFeatures); // a = √5
    for (const p of [layer.baseWeight, layer.splineScaler!]) {
      const v = await p.data();
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
    }
    // curve2coeff fits G+1 knots with G+k coefficients: the curves interpolate the noise there.
    const knots = await layer.grid.data();
    const numKnots = layer.grid.shape[1];
    const xAtKnots = tf.tensor2d(
      Array.from({ length: gridSize + 1 }, (_, r) =>
        Array.from({ length: inFeatures }, (_, i) => knots[i * numKnots + splineOrder + r]),
      ),
    );
    const curves = tf.tidy(() => curveValues(layer.bSplines(xAtKnots), layer.splineWeight));
    const values = await curves.data();
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(
      (0.5 * scaleNoise) / gridSize + 1e-6,
    );
    expect(values.some((v) => Math.abs(v) > 1e-4)).toBe(true);
    tf.dispose([xAtKnots, curves]);
    layer.dispose();
  });

  it('curve2coeff recovers the coefficients of curves sampled on enough points', async () => {
    const [inFeatures, outFeatures, rows] = [3, 4, 40];
    const layer = new KANLinear({ inFeatures, outFeatures, rng: new Rng(5) });
    const rng = new Rng(6);
    const x = tf.tensor2d(rng.uniformArray(rows * inFeatures, -0.99, 0.99), [rows, inFeatures]);
    const coeffs = layer.splineWeight.shape[2]!;
    const truth = tf.tensor3d(rng.uniformArray(outFeatures * inFeatures * coeffs, -1, 1), [
      outFeatures,
      inFeatures,
      coeffs,
    ]);
    const y = tf.tidy(() => curveValues(layer.bSplines(x), truth));
    const fitted = await expectNoLeaks(() => layer.curve2coeff(x, y), 'curve2coeff');
    await expectClose(fitted, truth, { atol: 1e-4, label: 'coefficients' });
    tf.dispose([x, truth, y, fitted]);
    layer.dispose();
  });

  it('without a standalone scaler, has no spline_scaler and scales the init by scaleSpline', async () => {
    const make = (scaleSpline: number) =>
      new KANLinear({
        inFeatures: 3,
        outFeatures: 2,
        enableStandaloneScaleSpline: false,
        scaleSpline,
        rng: new Rng(9),
      });
    const one = make(1);
    const three = make(3);
    expect(Object.keys(one.stateDict()).sort()).toEqual(['base_weight', 'grid', 'spline_weight']);
    const expected = tf.mul(one.splineWeight, 3);
    await expectClose(three.splineWeight, expected, { atol: 1e-7, label: 'scaled init' });
    const x = tf.ones([2, 3]);
    const { grads, value } = tf.variableGrads(() => tf.sum(three.forward(x)) as tf.Scalar);
    expect(grads[three.splineWeight.name]).toBeDefined();
    tf.dispose([expected, x, value, ...Object.values(grads)]);
    one.dispose();
    three.dispose();
  });

  it('names the shape or value at fault', async () => {
    const layer = new KANLinear({ inFeatures: 3, outFeatures: 2 });
    const wrong = tf.zeros([4, 5]);
    expect(() => layer.forward(wrong)).toThrow(/\[4,5\].*in_features = 3/);
    const x = tf.zeros([4, 3]);
    await expect(layer.curve2coeff(x, tf.zeros([4, 3, 3]))).rejects.toThrow(
      /\[4, 3, 2\].*\[4,3,3\]/,
    );
    const bad = tf.tensor2d([[0, Number.NaN, 0]]);
    await expect(layer.updateGrid(bad)).rejects.toThrow(/non-finite value \(NaN\) at flat index 1/);
    expect(() => new KANLinear({ inFeatures: 0, outFeatures: 2 })).toThrow(/inFeatures/);
    expect(() => new KANLinear({ inFeatures: 2, outFeatures: 2, gridRange: [1, -1] })).toThrow(
      /gridRange/,
    );
    tf.dispose([wrong, x, bad]);
    layer.dispose();
  });
});
