import * as tf from '@tensorflow/tfjs-core';
import type { EdgePlan } from '../graph/edge-plan.js';

/** What `forward(…, { returnAttentionWeights: true })` returns: `[out, [edgeIndex, alpha]]`. */
export type WithAttentionWeights = [tf.Tensor, [tf.Tensor2D, tf.Tensor]];

export interface SparseForwardOptions {
  /**
   * Also return PyG's `(edge_index, alpha)`: the edges used (self loops appended, int32
   * `[2, E]`) and the attention coefficient of each edge per head, `[E, heads]`.
   */
  returnAttentionWeights?: boolean;
}

/** The plan's edges as an int32 `[2, E]` tensor (row 0 sources, row 1 targets). */
export function usedEdgeIndex(plan: EdgePlan): tf.Tensor2D {
  const numEdges = plan.sources.length;
  const values = new Int32Array(2 * numEdges);
  values.set(plan.sources, 0);
  values.set(plan.targets, numEdges);
  return tf.tensor2d(values, [2, numEdges], 'int32');
}
