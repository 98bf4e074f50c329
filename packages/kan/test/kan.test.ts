import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KAN } from '../src/index.js';
import { disposeAll, type Golden, loadGolden, withPrefix } from './golden.js';

/** The `kan.layers.*` tensors as a KAN state dict (`kan.output` etc. are results, not state). */
function kanState(t: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(withPrefix(t, 'kan')).filter(([key]) => key.startsWith('layers.')),
  );
}

describeBackends('KAN (stack) vs efficient-kan', () => {
  let golden: Golden;
  let kan: KAN;

  beforeAll(async () => {
    golden = await loadGolden();
    kan = new KAN({ ...golden.options, layersHidden: golden.json.kan_layers });
    kan.loadStateDict(kanState(golden.t));
  });
  afterAll(() => {
    kan.dispose();
    disposeAll(golden.t);
  });

  it('has efficient-kan state-dict keys', () => {
    const keys = Object.keys(kanState(golden.t)).sort();
    expect(Object.keys(kan.stateDict()).sort()).toEqual(keys);
  });

  it('matches the 2-layer output and the summed regularization loss', async () => {
    const y = await expectNoLeaks(() => kan.forward(golden.t.x), 'KAN forward');
    await expectClose(y, golden.t['kan.output'], { atol: 1e-5, label: 'kan.output' });
    const loss = kan.regularizationLoss();
    await expectClose(loss, golden.json.kan_regularization_loss_1_1, { rtol: 1e-5, atol: 0 });
    tf.dispose([y, loss]);
  });

  it('trains end to end: gradients reach every layer', async () => {
    const { value, grads } = await expectNoLeaks(
      () =>
        tf.variableGrads(
          () =>
            tf.add(
              tf.mean(tf.square(kan.forward(golden.t.x))),
              kan.regularizationLoss(),
            ) as tf.Scalar,
        ),
      'KAN train step',
    );
    const names = kan.parameters().map((p) => p.name);
    expect(Object.keys(grads).sort()).toEqual([...names].sort());
    for (const g of Object.values(grads)) {
      const v = await g.data();
      expect(v.every(Number.isFinite)).toBe(true);
      expect(v.some((e) => e !== 0)).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('forward with updateGrid refits each layer to its own input, like efficient-kan', async () => {
    const options = { ...golden.options, layersHidden: golden.json.kan_layers };
    const updated = new KAN(options);
    const manual = new KAN(options);
    updated.loadStateDict(kanState(golden.t));
    manual.loadStateDict(kanState(golden.t));
    const y = await expectNoLeaks(
      () => updated.forward(golden.t.x, { updateGrid: true }),
      'update',
    );
    // Layer by layer: update_grid(h) then h = layer(h).
    let h = golden.t.x;
    for (const layer of manual.layers) {
      await layer.updateGrid(h); // efficient-kan KAN.forward uses the default margin
      const next = layer.forward(h);
      if (h !== golden.t.x) h.dispose();
      h = next;
    }
    await expectClose(y, h, { atol: 1e-6, label: 'output after updateGrid' });
    for (const [i, layer] of [...updated.layers].entries()) {
      await expectClose(layer.grid, manual.layers.at(i).grid, { atol: 0, label: `grid ${i}` });
    }
    const first = updated.layers.at(0);
    const layer0 = golden.t['kan.layers.0.grid'];
    expect(await first.grid.data()).not.toEqual(await layer0.data());
    tf.dispose([y, h]);
    updated.dispose();
    manual.dispose();
  });

  it('rejects a stack without an output width', () => {
    expect(() => new KAN({ layersHidden: [4] })).toThrow(/layersHidden/);
  });
});
