import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KANLinear } from '../src/index.js';
import { disposeAll, type Golden, goldenLayer, loadGolden, withPrefix } from './golden.js';

describeBackends('KANLinear vs efficient-kan', () => {
  let golden: Golden;
  let layers: Record<'fused' | 'composite', KANLinear>;

  beforeAll(async () => {
    golden = await loadGolden();
    layers = { fused: goldenLayer(golden), composite: goldenLayer(golden, false) };
  });
  afterAll(() => {
    layers.fused.dispose();
    layers.composite.dispose();
    disposeAll(golden.t);
  });

  it('has the efficient-kan state-dict names', () => {
    const reference = Object.keys(withPrefix(golden.t, 'init')).sort();
    expect(Object.keys(layers.fused.stateDict()).sort()).toEqual(reference);
  });

  it('builds the reference initial grid', async () => {
    const c = golden.json.config;
    const clean = new KANLinear({ ...golden.options, inFeatures: c.in_f, outFeatures: c.out_f });
    await expectClose(clean.grid, golden.t['init.grid'], { atol: 0, label: 'grid' });
    clean.dispose();
  });

  // The fused kernels (the default) and the composite of tfjs ops must both match the reference.
  for (const variant of ['fused', 'composite'] as const) {
    const suffix = variant === 'fused' ? '' : ' (composite)';
    it(`matches b_splines, the output and scaled_spline_weight${suffix}`, async () => {
      const { t } = golden;
      const bases = layers[variant].bSplines(t.x);
      const out = await expectNoLeaks(() => layers[variant].forward(t.x), 'forward');
      const scaled = layers[variant].scaledSplineWeight();
      await expectClose(bases, t.b_splines, { atol: 1e-5, label: 'b_splines' });
      await expectClose(out, t.output, { atol: 1e-5, label: 'output' });
      await expectClose(scaled, t.scaled_spline_weight, {
        atol: 1e-6,
        label: 'scaled_spline_weight',
      });
      await expectClose(layers[variant].weightInput(t.x), t.silu_x, {
        atol: 1e-6,
        label: 'silu_x',
      });
      tf.dispose([bases, out, scaled]);
    });

    it(`keeps leading axes${suffix}`, async () => {
      const { t } = golden;
      const [rows, features] = t.x.shape;
      const x3 = tf.reshape(t.x, [2, rows / 2, features]);
      const y = layers[variant].forward(x3);
      expect(y.shape).toEqual([2, rows / 2, golden.json.config.out_f]);
      await expectClose(tf.reshape(y, t.output.shape), t.output, {
        atol: 1e-5,
        label: 'output 3-D',
      });
      tf.dispose([x3, y]);
    });

    it(`matches the gradients w.r.t. the input and every parameter${suffix}`, async () => {
      const { t } = golden;
      const x = tf.variable(t.x);
      const { grads, value } = await expectNoLeaks(
        () => tf.variableGrads(() => tf.sum(tf.mul(layers[variant].forward(x), t.R)) as tf.Scalar),
        'train step',
      );
      await expectClose(grads[x.name], t['grad.x'], { atol: 1e-5, label: 'grad.x' });
      // Every parameter the reference has a gradient for (spline_scaler only when enabled).
      const params = layers[variant].namedParameters();
      expect(params.length).toBeGreaterThan(0);
      for (const [name, param] of params) {
        await expectClose(grads[param.name], t[`grad.${name}`], {
          atol: 1e-5,
          label: `grad.${name}`,
        });
      }
      tf.dispose([value, x, ...Object.values(grads)]);
    });

    it(`treats inputs at knots and outside the grid as efficient-kan does${suffix}`, async () => {
      const { t } = golden;
      const bases = layers[variant].bSplines(t['edge.x']);
      const out = layers[variant].forward(t['edge.x']);
      await expectClose(bases, t['edge.b_splines'], { atol: 1e-5, label: 'edge.b_splines' });
      await expectClose(out, t['edge.output'], { atol: 1e-5, label: 'edge.output' });
      tf.dispose([bases, out]);
    });
  }

  it('frozen parameters get no gradient; the others still match the reference', async () => {
    const { t } = golden;
    // Freeze each parameter alone, then all of them.
    const names = layers.fused.namedParameters().map(([name]) => name);
    const cases = [
      ...names.map((name) => ({ frozen: [name], checked: names.filter((n) => n !== name) })),
      { frozen: names, checked: [] },
    ];
    for (const { frozen, checked } of cases) {
      const layer = goldenLayer(golden);
      for (const name of frozen) layer.getParameter(name).trainable = false;
      const x = tf.variable(t.x);
      const { grads, value } = await expectNoLeaks(
        () => tf.variableGrads(() => tf.sum(tf.mul(layer.forward(x), t.R)) as tf.Scalar),
        `train step, frozen ${frozen}`,
      );
      const expectedNames = [x.name, ...checked.map((n) => layer.getParameter(n).name)];
      expect(Object.keys(grads).sort()).toEqual(expectedNames.sort());
      await expectClose(grads[x.name], t['grad.x'], { atol: 1e-5, label: 'grad.x' });
      for (const name of checked) {
        await expectClose(grads[layer.getParameter(name).name], t[`grad.${name}`], {
          atol: 1e-5,
          label: `grad.${name} with ${frozen} frozen`,
        });
      }
      tf.dispose([value, x, ...Object.values(grads)]);
      layer.dispose();
    }
  });

  it('matches regularization_loss and its two parts', async () => {
    const j = golden.json;
    const both = layers.fused.regularizationLoss();
    const activation = layers.fused.regularizationLoss(1, 0);
    const entropy = layers.fused.regularizationLoss(0, 1);
    expect(both.shape).toEqual([]);
    const expected = tf.reshape(golden.t.regularization_loss, []); // stored as [1]
    await expectClose(both, expected, { rtol: 1e-5, atol: 0, label: 'regularization_loss' });
    await expectClose(activation, j.regularization_loss_activation_only, { rtol: 1e-5, atol: 0 });
    await expectClose(entropy, j.regularization_loss_entropy_only, { rtol: 1e-5, atol: 0 });
    await expectClose(both, j.regularization_loss_1_1, { rtol: 1e-5, atol: 0 });
    tf.dispose([both, activation, entropy, expected]);
  });

  it('matches update_grid: new grid, refitted spline weights, output', async () => {
    const { t } = golden;
    const updated = goldenLayer(golden);
    await expectNoLeaks(() => updated.updateGrid(t.x, golden.margin), 'updateGrid');
    await expectClose(updated.grid, t['update.grid'], { atol: 1e-5, label: 'update.grid' });
    await expectClose(updated.splineWeight, t['update.spline_weight'], {
      atol: 1e-4,
      label: 'update.spline_weight',
    });
    const out = updated.forward(t.x);
    await expectClose(out, t['update.output'], { atol: 1e-5, label: 'update.output' });
    tf.dispose(out);
    updated.dispose();
  });
});
