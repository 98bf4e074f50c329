import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { DenseGATConv, GATConv, GATv2Conv } from '../src/index.js';
import { caseInputs, caseStateDict, cases, layerOptions, readGolden } from './golden.js';

/** PyG 2.5.3 goldens (`fixtures/gat`): outputs, attention weights and their edge order. */
describeBackends('PyG golden outputs', () => {
  let golden: Record<string, tf.Tensor>;
  beforeAll(async () => {
    golden = await readGolden();
  });

  const sparseCases = Object.keys(cases);
  it.each(sparseCases)('%s: output, edge order and attention weights match PyG', async (name) => {
    const c = cases[name];
    const layer =
      c.module === 'GATConv' ? new GATConv(layerOptions(c)) : new GATv2Conv(layerOptions(c));
    layer.eval();
    layer.loadStateDict(caseStateDict(name, Object.keys(layer.stateDict()), golden));
    const { x, edgeIndex } = caseInputs(name, golden);
    const graph = await edgeIndex;

    layer.forward(x, graph); // builds and caches the graph's plan
    const [out, [usedEdges, alpha]] = await expectNoLeaks(
      () => layer.forward(x, graph, { returnAttentionWeights: true }),
      `${name} forward`,
    );
    await expectClose(out, golden[`${name}.out`], { atol: 1e-5, label: `${name}.out` });
    expect(usedEdges.dtype).toBe('int32');
    expect(Array.from(await usedEdges.data())).toEqual(
      Array.from(await golden[`${name}.att_edge_index`].data()),
    );
    await expectClose(alpha, golden[`${name}.alpha`], { atol: 1e-5, label: `${name}.alpha` });

    const plain = layer.forward(x, graph);
    // Not bit-exact on webgpu: its scatter adds with float atomics in no fixed order.
    await expectClose(plain, out, { atol: 1e-6, label: 'with vs without attention weights' });
    tf.dispose([out, usedEdges, alpha, plain]);
    graph.dispose();
    layer.dispose();
  });

  it('fc: the dense token-graph path reproduces the fully connected golden', async () => {
    const c = cases.fc;
    const layer = new DenseGATConv(layerOptions(c));
    layer.loadStateDict(caseStateDict('fc', Object.keys(layer.stateDict()), golden));
    const x = golden[c.x];
    const [out, alpha] = layer.forward(x, 'full', { returnAttentionWeights: true });
    await expectClose(out, golden['fc.out'], { atol: 1e-5, label: 'fc.out (dense)' });

    // alpha is [heads, target, source]; PyG lists one row per edge of att_edge_index.
    const edges = (await golden['fc.att_edge_index'].array()) as number[][];
    const dense = (await alpha.array()) as number[][][];
    const perEdge = edges[0].map((source, e) => dense.map((head) => head[edges[1][e]][source]));
    await expectClose(perEdge, golden['fc.alpha'], { atol: 1e-5, label: 'fc.alpha (dense)' });
    tf.dispose([out, alpha]);
    layer.dispose();
  });
});
