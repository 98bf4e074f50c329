import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DenseGATConv, GATConv, type TokenGraph } from '../src/index.js';
import { randn } from './random.js';

const batch = 2;
const tokens = 5;
const inChannels = 6;
const heads = 2;
const channels = 3;

/** Example b of a batch, `[tokens, channels]`, optionally only its first `length` tokens. */
function example(x: tf.Tensor, b: number, length?: number): tf.Tensor {
  return tf.tidy(() => tf.squeeze(tf.slice(x, [b, 0, 0], [1, length ?? -1, -1]), [0]));
}

/** The edges `j → i` (i ≠ j) of a token graph, as `[sources, targets]` for the sparse layer. */
function edgesWhere(length: number, has: (i: number, j: number) => boolean): number[][] {
  const sources: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < length; j++) {
      if (i !== j && has(i, j)) {
        sources.push(j);
        targets.push(i);
      }
    }
  }
  return [sources, targets];
}

describeBackends('DenseGATConv on token graphs', () => {
  let dense: DenseGATConv;
  let sparse: GATConv;
  let x: tf.Tensor;
  const randomAdjacency = Array.from({ length: batch }, (_, b) =>
    Array.from({ length: tokens }, (_, i) =>
      Array.from({ length: tokens }, (_, j) =>
        new Rng(100 * b + 10 * i + j).random() < 0.4 ? 1 : 0,
      ),
    ),
  );

  beforeAll(() => {
    dense = new DenseGATConv({ inChannels, outChannels: channels, heads, rng: new Rng(1) });
    dense.loadStateDict({ bias: randn([heads * channels], 2, 0.1) }, { strict: false });
    sparse = new GATConv({ inChannels, outChannels: channels, heads });
    sparse.loadStateDict(dense.stateDict());
    x = randn([batch, tokens, inChannels], 3);
  });
  afterAll(() => {
    dense.dispose();
    sparse.dispose();
    x.dispose();
  });

  const graphs: [string, (b: number) => (i: number, j: number) => boolean][] = [
    ['full', () => () => true],
    ['causal', () => (i, j) => j <= i],
    ['adjacency', (b) => (i, j) => randomAdjacency[b][i][j] === 1],
  ];
  it.each(graphs)(
    '%s graph: dense outputs and attention equal the sparse path',
    async (kind, has) => {
      const adjacency = tf.tensor3d(randomAdjacency);
      const graph: TokenGraph = kind === 'adjacency' ? adjacency : (kind as TokenGraph);
      const [out, alpha] = dense.forward(x, graph, { returnAttentionWeights: true });
      expect(alpha.shape).toEqual([batch, heads, tokens, tokens]);
      const denseAlpha = (await alpha.array()) as number[][][][];
      for (let b = 0; b < batch; b++) {
        const xb = example(x, b);
        const [sparseOut, [used, sparseAlpha]] = sparse.forward(xb, edgesWhere(tokens, has(b)), {
          returnAttentionWeights: true,
        });
        const outB = example(out, b);
        await expectClose(outB, sparseOut, { atol: 1e-6, label: `output of example ${b}` });
        const [sources, targets] = (await used.array()) as number[][];
        const perEdge = sources.map((j, e) => denseAlpha[b].map((head) => head[targets[e]][j]));
        await expectClose(perEdge, sparseAlpha, { atol: 1e-6, label: `alpha of example ${b}` });
        tf.dispose([xb, outB, sparseOut, used, sparseAlpha]);
      }
      tf.dispose([out, alpha, adjacency]);
    },
  );

  it('causal: perturbing future tokens leaves every earlier output unchanged', async () => {
    const seen = 3;
    const perturbed = tf.tidy(() =>
      tf.concat(
        [tf.slice(x, [0, 0, 0], [-1, seen, -1]), randn([batch, tokens - seen, inChannels], 4, 10)],
        1,
      ),
    );
    const before = dense.forward(x, 'causal');
    const after = dense.forward(perturbed, 'causal');
    const [pastBefore, futureBefore] = tf.split(before, [seen, tokens - seen], 1);
    const [pastAfter, futureAfter] = tf.split(after, [seen, tokens - seen], 1);
    await expectClose(pastAfter, pastBefore, { atol: 0, label: 'outputs before the change' });
    // The same comparison does see the change where it is allowed to: the test can fail.
    const moved = tf.max(tf.abs(tf.sub(futureAfter, futureBefore)));
    expect((await moved.data())[0]).toBeGreaterThan(1e-3);
    tf.dispose([perturbed, before, after, pastBefore, futureBefore, pastAfter, futureAfter, moved]);
  });

  it('padding tokens neither send nor receive: real outputs equal the unpadded graph, pads are 0', async () => {
    const real = [tokens, 3];
    const mask = tf.tensor2d(
      real.map((length) => Array.from({ length: tokens }, (_, t) => (t < length ? 1 : 0))),
    );
    // Different features at the padding positions only.
    const padded = tf.tidy(() =>
      tf.add(
        x,
        tf.mul(tf.sub(1, tf.expandDims(mask, 2)), randn([batch, tokens, inChannels], 5, 10)),
      ),
    );
    const out = dense.forward(x, 'causal', { mask });
    const outNoisy = dense.forward(padded, 'causal', { mask });
    await expectClose(outNoisy, out, { atol: 0, label: 'padding features change nothing' });
    for (let b = 0; b < batch; b++) {
      const xb = example(x, b, real[b]);
      const expected = sparse.forward(
        xb,
        edgesWhere(real[b], (i, j) => j <= i),
      );
      const outB = example(out, b, real[b]);
      await expectClose(outB, expected, { atol: 1e-6, label: `real tokens of example ${b}` });
      tf.dispose([xb, expected, outB]);
    }
    const pads = tf.slice(out, [1, real[1], 0], [1, -1, -1]);
    await expectClose(pads, new Float32Array(pads.size), { atol: 0, label: 'padding outputs' });
    tf.dispose([mask, padded, out, outNoisy, pads]);
  });

  it('unbatched [tokens, channels] input equals a batch of one', async () => {
    const x0 = example(x, 0);
    const batched = dense.forward(tf.expandDims(x0, 0), 'causal');
    const ones = tf.ones([tokens]);
    const single = dense.forward(x0, 'causal', { mask: ones });
    const expected = tf.squeeze(batched, [0]);
    await expectClose(single, expected, { atol: 1e-6 });
    tf.dispose([x0, batched, ones, single, expected]);
  });

  it('keeps no graph mask between calls, whatever the lengths seen', async () => {
    const layer = new DenseGATConv({ inChannels, outChannels: channels, heads });
    const parameters = layer.parameters().length;
    const count = () => tf.memory().numTensors;
    const base = count();
    // A mask cached per (graph, length) grew by one tensor per new length (unbounded in generation).
    for (let length = 1; length <= tokens; length++) {
      const prefix = tf.slice(x, [0, 0, 0], [-1, length, -1]);
      await expectNoLeaks(() => {
        layer.forward(prefix, 'causal').dispose();
        layer.forward(prefix, 'full').dispose();
      }, `forward of ${length} tokens`);
      prefix.dispose();
    }
    expect(count()).toBe(base);
    layer.dispose();
    expect(count()).toBe(base - parameters);
  });
});
