import { describeBackends, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { EdgeIndex, GATConv } from '../src/index.js';
import { randn } from './random.js';

describeBackends('EdgeIndex', () => {
  it('applies PyG self-loop handling: existing loops dropped, one per node appended in order', async () => {
    const graph = EdgeIndex.from([
      [0, 1, 1],
      [1, 1, 0],
    ]);
    const withLoops = graph.plan(3, true);
    expect([Array.from(withLoops.sources), Array.from(withLoops.targets)]).toEqual([
      [0, 1, 0, 1, 2],
      [1, 0, 0, 1, 2],
    ]);
    const asGiven = graph.plan(3, false);
    expect([Array.from(asGiven.sources), Array.from(asGiven.targets)]).toEqual([
      [0, 1, 1],
      [1, 1, 0],
    ]);
    graph.dispose();
  });

  it('reads an int32 edge_index tensor and frees its cached plans on dispose', async () => {
    const tensor = tf.tensor2d(
      [
        [0, 2, 1],
        [1, 0, 2],
      ],
      [2, 3],
      'int32',
    );
    const graph = await EdgeIndex.fromTensor(tensor);
    expect(graph.numEdges).toBe(3);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      graph.plan(3, true); // built inside a tidy, yet kept for later calls
    });
    graph.plan(3, true); // cached: no new tensors
    const cached = tf.memory().numTensors - before;
    expect(cached).toBeGreaterThan(0);
    graph.plan(4, true);
    expect(tf.memory().numTensors - before).toBe(2 * cached);
    graph.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tensor.dispose();
  });

  it('edges given as plain arrays leave no tensors behind, forward and backward', async () => {
    const conv = new GATConv({ inChannels: 4, outChannels: 2, heads: 2 });
    const x = tf.variable(randn([5, 4], 1));
    const edges = [
      [0, 1, 2, 3, 4, 4],
      [1, 2, 3, 4, 0, 2],
    ];
    const out = await expectNoLeaks(() => conv.forward(x, edges), 'forward');
    const { value, grads } = await expectNoLeaks(
      () => tf.variableGrads(() => tf.sum(conv.forward(x, edges)) as tf.Scalar),
      'train step',
    );
    expect(Object.keys(grads)).toHaveLength(conv.parameters().length + 1);
    tf.dispose([out, value, x, ...Object.values(grads)]);
    conv.dispose();
  });
});
