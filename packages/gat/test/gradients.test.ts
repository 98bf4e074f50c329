import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { DenseGATConv, GATConv, GATv2Conv } from '../src/index.js';
import { randn, randomEdges } from './random.js';
import {
  adjacencyWithLoops,
  type ReferenceGraph,
  referenceGat,
  referenceGatV2,
} from './reference.js';

const n = 7;
const inChannels = 5;
const heads = 2;
const channels = 3;
const edges = randomEdges(n, 0.35, 11);

function graph(concat: boolean): ReferenceGraph {
  return {
    adjacency: adjacencyWithLoops(edges[0], edges[1], n),
    heads,
    channels,
    concat,
    negativeSlope: 0.2,
  };
}

/** Compares the loss and every gradient of `layerLoss` with tfjs autodiff of `referenceLoss`. */
async function expectSameGradients(
  params: tf.Variable[],
  layerLoss: () => tf.Scalar,
  referenceLoss: (...inputs: tf.Tensor[]) => tf.Tensor,
): Promise<void> {
  layerLoss().dispose(); // warm caches (graph masks) outside the leak check
  const { value, grads } = await expectNoLeaks(
    () => tf.variableGrads(layerLoss, params),
    'train step',
  );
  const reference = tf.valueAndGrads(referenceLoss)(params);
  await expectClose(value, reference.value, { atol: 1e-5, rtol: 1e-5, label: 'loss' });
  for (const [k, p] of params.entries()) {
    await expectClose(grads[p.name], reference.grads[k], {
      atol: 1e-5,
      rtol: 1e-4,
      label: `gradient of ${p.name}`,
    });
  }
  tf.dispose([value, reference.value, ...Object.values(grads), ...reference.grads]);
}

function gatState(concat: boolean) {
  return {
    'lin.weight': randn([heads * channels, inChannels], 1, 0.5),
    att_src: randn([1, heads, channels], 2),
    att_dst: randn([1, heads, channels], 3),
    bias: randn([concat ? heads * channels : channels], 4, 0.1),
  };
}

describeBackends('gradients against a dense autodiff reference', () => {
  describe.each([true, false])('concat %s', (concat) => {
    const outWidth = concat ? heads * channels : channels;

    it('GATConv (sparse, edges as plain arrays)', async () => {
      const layer = new GATConv({ inChannels, outChannels: channels, heads, concat });
      layer.loadStateDict(gatState(concat));
      const x = tf.variable(randn([n, inChannels], 5));
      const r = randn([n, outWidth], 6);
      const params = [x, layer.lin.weight, layer.attSrc, layer.attDst, layer.bias!];
      await expectSameGradients(
        params,
        () => tf.sum(tf.mul(layer.forward(x, edges), r)),
        (xi, w, src, dst, b) => tf.sum(tf.mul(referenceGat(xi, w, src, dst, b, graph(concat)), r)),
      );
      tf.dispose([x, r]);
      layer.dispose();
    });

    it('DenseGATConv (adjacency tensor)', async () => {
      const layer = new DenseGATConv({ inChannels, outChannels: channels, heads, concat });
      layer.loadStateDict(gatState(concat));
      const x = tf.variable(randn([n, inChannels], 5));
      const r = randn([n, outWidth], 6);
      const adjacency = tf.tensor2d(graph(concat).adjacency);
      const params = [x, layer.lin.weight, layer.attSrc, layer.attDst, layer.bias!];
      await expectSameGradients(
        params,
        () => tf.sum(tf.mul(layer.forward(x, adjacency), r)),
        (xi, w, src, dst, b) => tf.sum(tf.mul(referenceGat(xi, w, src, dst, b, graph(concat)), r)),
      );
      tf.dispose([x, r, adjacency]);
      layer.dispose();
    });
  });

  it.each([false, true])('GATv2Conv (shareWeights %s)', async (shareWeights) => {
    const layer = new GATv2Conv({ inChannels, outChannels: channels, heads, shareWeights });
    const width = heads * channels;
    layer.loadStateDict({
      'lin_l.weight': randn([width, inChannels], 7, 0.5),
      'lin_l.bias': randn([width], 8, 0.1),
      'lin_r.weight': shareWeights
        ? randn([width, inChannels], 7, 0.5)
        : randn([width, inChannels], 9, 0.5),
      'lin_r.bias': shareWeights ? randn([width], 8, 0.1) : randn([width], 10, 0.1),
      att: randn([1, heads, channels], 12),
      bias: randn([width], 13, 0.1),
    });
    const x = tf.variable(randn([n, inChannels], 5));
    const r = randn([n, width], 6);
    const left = [layer.linL.weight, layer.linL.bias!];
    const right = shareWeights ? [] : [layer.linR.weight, layer.linR.bias!];
    const params = [x, ...left, ...right, layer.att, layer.bias!];
    await expectSameGradients(
      params,
      () => tf.sum(tf.mul(layer.forward(x, edges), r)),
      (...t) => {
        const [xi, wl, bl] = t;
        const [wr, br, att, b] = shareWeights ? [wl, bl, t[3], t[4]] : t.slice(3);
        return tf.sum(tf.mul(referenceGatV2(xi, [wl, bl], [wr, br], att, b, graph(true)), r));
      },
    );
    tf.dispose([x, r]);
    layer.dispose();
  });
});
