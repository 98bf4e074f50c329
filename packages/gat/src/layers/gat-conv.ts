import { gatherRows, segmentSum } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { EdgeIndexInput } from '../graph/edge-index.js';
import { segmentSoftmax } from '../ops/segment-softmax.js';
import {
  type SparseForwardOptions,
  usedEdgeIndex,
  type WithAttentionWeights,
} from './attention-weights.js';
import { edgelessForward } from './edgeless.js';
import { GATParameters } from './gat-parameters.js';
import { combineHeads } from './heads.js';
import { checkFeatures, type GATOptions } from './options.js';
import { withEdgePlan } from './with-plan.js';

/**
 * PyTorch Geometric's `GATConv` (2.5): `x'_i = Σ_{j→i} α_ij Θx_j` with
 * `α_ij = softmax_j(leaky_relu(⟨Θx_j, att_src⟩ + ⟨Θx_i, att_dst⟩))` over the edges entering i.
 * Sparse: scores, softmax and messages live on the edges (gathers and segment sums), so memory
 * grows with the number of edges, never N×N.
 */
export class GATConv extends GATParameters {
  constructor(options: GATOptions) {
    super('GATConv', options);
  }

  /**
   * `x` `[N, inChannels]`, `edgeIndex` `[sources, targets]` or an `EdgeIndex` (edge `j → i`).
   * Returns `[N, heads·out]` (concat) or `[N, out]`; with `returnAttentionWeights`,
   * `[out, [edgeIndex used, alpha [E, heads]]]` where alpha is after dropout, as PyG returns it.
   */
  forward(
    x: tf.Tensor,
    edgeIndex: EdgeIndexInput,
    options?: SparseForwardOptions & { returnAttentionWeights?: false },
  ): tf.Tensor;
  forward(
    x: tf.Tensor,
    edgeIndex: EdgeIndexInput,
    options: SparseForwardOptions & { returnAttentionWeights: true },
  ): WithAttentionWeights;
  forward(
    x: tf.Tensor,
    edgeIndex: EdgeIndexInput,
    options?: SparseForwardOptions,
  ): tf.Tensor | WithAttentionWeights;
  forward(
    x: tf.Tensor,
    edgeIndex: EdgeIndexInput,
    options: SparseForwardOptions = {},
  ): tf.Tensor | WithAttentionWeights {
    checkFeatures('GATConv', x, this.inChannels, '[numNodes, inChannels]', [2]);
    return withEdgePlan(edgeIndex, x.shape[0], this.addSelfLoops, (plan) =>
      tf.tidy(() => {
        if (plan.sources.length === 0) {
          return edgelessForward(plan, this, this.bias, options.returnAttentionWeights);
        }
        const { h, sourceScore, targetScore } = this.project(x);
        const target = plan.layout.segmentIds;
        const scores = tf.leakyRelu(
          tf.add(gatherRows(sourceScore, plan.source), gatherRows(targetScore, target)),
          this.negativeSlope,
        );
        const alpha = this.dropAttention(segmentSoftmax(scores, plan.layout));
        const messages = tf.mul(gatherRows(h, plan.source), tf.expandDims(alpha, 2));
        const out = combineHeads(
          segmentSum(messages, target, plan.numNodes),
          this.concat,
          this.bias,
        );
        if (!options.returnAttentionWeights) return out;
        return [out, [usedEdgeIndex(plan), alpha]] as WithAttentionWeights;
      }),
    );
  }
}
