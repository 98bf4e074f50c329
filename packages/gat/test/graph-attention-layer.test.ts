import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GraphAttentionLayer } from '../src/index.js';
import { referenceGraphAttention } from './graph-attention-reference.js';
import { randn } from './random.js';

const batch = 2;
const tokens = 6;
const hiddenSize = 8;
const numAttentionHeads = 2;

describeBackends('GraphAttentionLayer (learnable-gpt fusion block)', () => {
  let layer: GraphAttentionLayer;
  let hidden: tf.Tensor;
  let transformerOutput: tf.Tensor;
  beforeAll(() => {
    layer = new GraphAttentionLayer({ hiddenSize, numAttentionHeads, rng: new Rng(1) });
    layer.gat.loadStateDict({ bias: randn([hiddenSize], 2, 0.1) }, { strict: false });
    layer.eval();
    hidden = randn([batch, tokens, hiddenSize], 3);
    transformerOutput = randn([batch, tokens, hiddenSize], 4);
  });
  afterAll(() => {
    layer.dispose();
    tf.dispose([hidden, transformerOutput]);
  });

  it('has the original parameter names and shapes (GAT heads = n_head, out = hidden / heads)', () => {
    const shapes = Object.fromEntries(
      Object.entries(layer.stateDict()).map(([name, t]) => [name, t.shape]),
    );
    const headSize = hiddenSize / numAttentionHeads;
    expect(shapes).toEqual({
      'gat.lin.weight': [numAttentionHeads * headSize, hiddenSize],
      'gat.att_src': [1, numAttentionHeads, headSize],
      'gat.att_dst': [1, numAttentionHeads, headSize],
      'gat.bias': [hiddenSize],
      'gat_projection.weight': [hiddenSize, hiddenSize],
      'gat_projection.bias': [hiddenSize],
      'fusion.weight': [hiddenSize, 2 * hiddenSize],
      'fusion.bias': [hiddenSize],
    });
  });

  it('computes fusion(concat[transformerOutput, gat_projection(gat(hidden))])', async () => {
    const out = layer.forward(hidden, null, { transformerOutput });
    const p = layer.stateDict();
    const values = async (name: string) => (await p[name].array()) as never;
    const expected = referenceGraphAttention(
      {
        lin: await values('gat.lin.weight'),
        attSrc: await values('gat.att_src'),
        attDst: await values('gat.att_dst'),
        bias: await values('gat.bias'),
        projection: {
          weight: await values('gat_projection.weight'),
          bias: await values('gat_projection.bias'),
        },
        fusion: { weight: await values('fusion.weight'), bias: await values('fusion.bias') },
      },
      (await hidden.array()) as number[][][],
      (await transformerOutput.array()) as number[][][],
    );
    await expectClose(out, expected, { atol: 1e-5 });
    out.dispose();
  });

  it('defaults to the causal token graph: future tokens do not reach earlier outputs', async () => {
    const seen = 4;
    const perturbed = tf.tidy(() =>
      tf.concat(
        [
          tf.slice(hidden, [0, 0, 0], [-1, seen, -1]),
          randn([batch, tokens - seen, hiddenSize], 5, 10),
        ],
        1,
      ),
    );
    const firstTokens = (t: tf.Tensor) => tf.slice(t, [0, 0, 0], [-1, seen, -1]);
    const outputs = (graph?: 'full') =>
      tf.tidy(() => [hidden, perturbed].map((h) => firstTokens(layer.forward(h, null, { graph }))));
    const [causalBefore, causalAfter] = outputs();
    await expectClose(causalAfter, causalBefore, { atol: 0, label: 'causal: earlier tokens' });
    // learnable-gpt's fully connected graph does let the future in.
    const [fullBefore, fullAfter] = outputs('full');
    const leak = tf.max(tf.abs(tf.sub(fullAfter, fullBefore)));
    expect((await leak.data())[0]).toBeGreaterThan(1e-3);
    tf.dispose([perturbed, causalBefore, causalAfter, fullBefore, fullAfter, leak]);
  });

  it('padding tokens change no real token output', async () => {
    const lengths = [tokens, 4];
    const mask = tf.tensor2d(
      lengths.map((n) => Array.from({ length: tokens }, (_, t) => (t < n ? 1 : 0))),
    );
    const noisy = tf.tidy(() =>
      tf.add(
        hidden,
        tf.mul(tf.sub(1, tf.expandDims(mask, 2)), randn([batch, tokens, hiddenSize], 6, 10)),
      ),
    );
    const real = (t: tf.Tensor) => tf.mul(t, tf.expandDims(mask, 2));
    const [clean, dirty] = tf.tidy(() =>
      [hidden, noisy].map((h) =>
        real(layer.forward(h, mask, { transformerOutput, graph: 'full' })),
      ),
    );
    await expectClose(dirty, clean, { atol: 0, label: 'real tokens' });
    tf.dispose([mask, noisy, clean, dirty]);
  });

  it('trains: every parameter gets a gradient, in train mode with dropout, without leaks', async () => {
    const trained = new GraphAttentionLayer({
      hiddenSize,
      numAttentionHeads,
      attentionProbsDropoutProb: 0.1,
      hiddenDropoutProb: 0.1,
      rng: new Rng(7),
    });
    const mask = tf.tensor2d([Array(tokens).fill(1), [1, 1, 1, 0, 0, 0]]);
    const loss = () => tf.mean(tf.square(trained.forward(hidden, mask))) as tf.Scalar;
    loss().dispose(); // builds the cached causal mask
    const { value, grads } = await expectNoLeaks(() => tf.variableGrads(loss), 'train step');
    for (const [name, p] of trained.namedParameters()) {
      const size = tf.tidy(() => tf.sum(tf.abs(grads[p.name])));
      expect((await size.data())[0], `gradient of ${name}`).toBeGreaterThan(0);
      size.dispose();
    }
    tf.dispose([value, mask, ...Object.values(grads)]);
    trained.dispose();
  });

  it('rejects inputs of the wrong shape with the shapes involved', () => {
    const wrong = tf.zeros([batch, tokens, hiddenSize + 1]);
    expect(() => layer.forward(wrong)).toThrow(
      /hidden must be \[batch, tokens, 8\], got \[2,6,9\]/,
    );
    const short = tf.zeros([batch, tokens - 1, hiddenSize]);
    expect(() => layer.forward(hidden, null, { transformerOutput: short })).toThrow(
      /transformerOutput \[2,5,8\] must match hidden \[2,6,8\]/,
    );
    const badMask = tf.ones([batch, tokens + 1]);
    expect(() => layer.forward(hidden, badMask)).toThrow(/mask must be \[2, 6\].*got \[2,7\]/);
    expect(() => new GraphAttentionLayer({ hiddenSize: 10, numAttentionHeads: 3 })).toThrow(
      /hiddenSize 10 is not divisible by numAttentionHeads 3/,
    );
    tf.dispose([wrong, short, badMask]);
  });
});
