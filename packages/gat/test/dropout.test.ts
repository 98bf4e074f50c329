import { Rng } from '@lgpt/core';
import { describeBackends, expectClose } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { DenseGATConv, GATConv, GATv2Conv } from '../src/index.js';
import { randn, randomEdges } from './random.js';

const edges = randomEdges(6, 0.4, 21);
const options = { inChannels: 4, outChannels: 3, heads: 2, dropout: 0.5 };

describeBackends('attention dropout (train mode only)', () => {
  it('GATConv drops attention coefficients and returns them after dropout, like PyG', async () => {
    const conv = new GATConv({ ...options, rng: new Rng(1) });
    const x = randn([6, 4], 2);
    conv.eval();
    const [evalOut, [, evalAlpha]] = conv.forward(x, edges, { returnAttentionWeights: true });
    conv.train();
    const [trainOut, [, trainAlpha]] = conv.forward(x, edges, { returnAttentionWeights: true });
    const kept = Array.from(await trainAlpha.data());
    const full = Array.from(await evalAlpha.data());
    // Each coefficient is either dropped or scaled by 1 / (1 − p).
    for (const [k, a] of kept.entries()) {
      expect(
        [0, 2 * full[k]].some((v) => Math.abs(v - a) < 1e-6),
        `alpha ${k}`,
      ).toBe(true);
    }
    expect(kept.filter((a) => a === 0).length).toBeGreaterThan(0);
    expect(kept.filter((a) => a !== 0).length).toBeGreaterThan(0);
    const changed = tf.max(tf.abs(tf.sub(trainOut, evalOut)));
    expect((await changed.data())[0]).toBeGreaterThan(0);
    tf.dispose([x, evalOut, evalAlpha, trainOut, trainAlpha, changed]);
    conv.dispose();
  });

  it('GATv2Conv returns the attention before dropout, like PyG', async () => {
    const conv = new GATv2Conv({ ...options, rng: new Rng(3) });
    const x = randn([6, 4], 4);
    conv.eval();
    const [evalOut, [, evalAlpha]] = conv.forward(x, edges, { returnAttentionWeights: true });
    conv.train();
    const [trainOut, [, trainAlpha]] = conv.forward(x, edges, { returnAttentionWeights: true });
    await expectClose(trainAlpha, evalAlpha, { atol: 1e-6, label: 'alpha' });
    const changed = tf.max(tf.abs(tf.sub(trainOut, evalOut)));
    expect((await changed.data())[0]).toBeGreaterThan(0);
    tf.dispose([x, evalOut, evalAlpha, trainOut, trainAlpha, changed]);
    conv.dispose();
  });

  it('DenseGATConv drops coefficients in train mode and is deterministic in eval mode', async () => {
    const conv = new DenseGATConv({ ...options, rng: new Rng(5) });
    const x = randn([2, 5, 4], 6);
    conv.eval();
    const [first, second] = [conv.forward(x, 'causal'), conv.forward(x, 'causal')];
    await expectClose(second, first, { atol: 0, label: 'eval mode' });
    conv.train();
    const [out, alpha] = conv.forward(x, 'causal', { returnAttentionWeights: true });
    const values = Array.from(await alpha.data());
    // Causal rows keep only j ≤ i; dropout zeroes some of those too.
    const allowedCount = 2 * 2 * ((5 * 6) / 2);
    expect(values.filter((a) => a !== 0).length).toBeLessThan(allowedCount);
    tf.dispose([x, first, second, out, alpha]);
    conv.dispose();
  });
});
