import { describeBackends } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DenseGATConv, EdgeIndex, GATConv, GATv2Conv, type TokenGraph } from '../src/index.js';

describeBackends('bad input fails with a clear error', () => {
  let conv: GATConv;
  let dense: DenseGATConv;
  let x: tf.Tensor;
  beforeAll(() => {
    conv = new GATConv({ inChannels: 8, outChannels: 4, heads: 2 });
    dense = new DenseGATConv({ inChannels: 8, outChannels: 4, heads: 2 });
    x = tf.zeros([6, 8]);
  });
  afterAll(() => {
    conv.dispose();
    dense.dispose();
    x.dispose();
  });

  it('an edge index out of range names the row, the edge and the node count', () => {
    const edges = [
      [0, 1, 2],
      [1, 2, 9],
    ];
    expect(() => conv.forward(x, edges)).toThrow(
      /edgeIndex\[1\]\[2\] = 9 is out of range for a graph of 6 nodes/,
    );
    const v2 = new GATv2Conv({ inChannels: 8, outChannels: 4 });
    expect(() => v2.forward(x, edges)).toThrow(/out of range/);
    v2.dispose();
  });

  it('negative, fractional or ragged edge lists are rejected', () => {
    expect(() =>
      EdgeIndex.from([
        [0, -1],
        [1, 0],
      ]),
    ).toThrow(/edgeIndex\[0\]\[1\] = -1 is not a valid node index/);
    expect(() =>
      EdgeIndex.from([
        [0, 1],
        [1.5, 0],
      ]),
    ).toThrow(/edgeIndex\[1\]\[0\] = 1.5/);
    expect(() => EdgeIndex.from([[0, 1], [1]])).toThrow(/2 sources, 1 targets/);
    expect(() => EdgeIndex.from([[0, 1, 2]])).toThrow(/\[sources, targets\].*length 1/);
  });

  it('edge_index tensors must be int32 [2, E]; a tensor passed to forward points to fromTensor', async () => {
    const floats = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    await expect(EdgeIndex.fromTensor(floats)).rejects.toThrow(
      /must be an int32 tensor, got float32/,
    );
    const threeRows = tf.zeros([3, 4], 'int32');
    await expect(EdgeIndex.fromTensor(threeRows)).rejects.toThrow(
      /shape \[2, numEdges\], got \[3,4\]/,
    );
    const ints = tf.tensor2d(
      [
        [0, 1],
        [1, 0],
      ],
      [2, 2],
      'int32',
    );
    expect(() => conv.forward(x, ints as unknown as number[][])).toThrow(/EdgeIndex\.fromTensor/);
    tf.dispose([floats, threeRows, ints]);
  });

  it('node features of the wrong shape or dtype name the expected layout', () => {
    const narrow = tf.zeros([6, 7]);
    expect(() => conv.forward(narrow, [[0], [1]])).toThrow(
      /GATConv: x must be \[numNodes, inChannels\] with inChannels = 8, got \[6,7\]/,
    );
    const ints = tf.zeros([6, 8], 'int32');
    expect(() => conv.forward(ints, [[0], [1]])).toThrow(/x must be float32, got int32/);
    const batched = tf.zeros([2, 6, 8]);
    expect(() => conv.forward(batched, [[0], [1]])).toThrow(/got \[2,6,8\]/);
    tf.dispose([narrow, ints, batched]);
  });

  it('token graphs and masks of the wrong shape or kind are rejected', () => {
    const tokens = tf.zeros([2, 5, 8]);
    const adjacency = tf.ones([5, 4]);
    expect(() => dense.forward(tokens, adjacency)).toThrow(
      /adjacency must be \[5, 5\] or \[2, 5, 5\].*got \[5,4\]/,
    );
    const mask = tf.ones([2, 4]);
    expect(() => dense.forward(tokens, 'causal', { mask })).toThrow(/mask must be \[2, 5\]/);
    expect(() => dense.forward(tokens, 'bogus' as TokenGraph)).toThrow(
      /unknown token graph 'bogus'/,
    );
    tf.dispose([tokens, adjacency, mask]);
  });

  it('invalid layer options are rejected', () => {
    expect(() => new GATConv({ inChannels: 8, outChannels: 4, heads: 0 })).toThrow(
      /GATConv: heads must be a positive integer, got 0/,
    );
    expect(() => new DenseGATConv({ inChannels: 8, outChannels: 4, dropout: 1 })).toThrow(
      /DenseGATConv: dropout must be in \[0, 1\), got 1/,
    );
  });
});
