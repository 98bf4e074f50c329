import * as tf from '@tensorflow/tfjs-core';
import type { EdgePlan } from '../graph/edge-plan.js';
import { usedEdgeIndex, type WithAttentionWeights } from './attention-weights.js';

/**
 * A sparse GAT layer's result when the plan has no edge (a graph without edges and self loops, or
 * without nodes): every node's sum over incoming messages is empty, so it gets the bias alone
 * (zeros without one), as in PyG; alpha is `[0, heads]`. Built directly rather than through the
 * edge ops: wasm's kernels fail to broadcast their zero-size operands.
 */
export function edgelessForward(
  plan: EdgePlan,
  layer: { heads: number; outChannels: number; concat: boolean },
  bias: tf.Tensor | null,
  returnAttentionWeights: boolean | undefined,
): tf.Tensor | WithAttentionWeights {
  const width = layer.concat ? layer.heads * layer.outChannels : layer.outChannels;
  const out =
    bias && plan.numNodes > 0
      ? tf.tile(tf.reshape(bias, [1, width]), [plan.numNodes, 1])
      : tf.zeros([plan.numNodes, width]);
  if (!returnAttentionWeights) return out;
  return [out, [usedEdgeIndex(plan), tf.zeros([0, layer.heads])]];
}
