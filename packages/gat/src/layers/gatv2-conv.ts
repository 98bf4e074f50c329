import {
  dropout as applyDropout,
  gatherRows,
  glorot,
  Linear,
  type Parameter,
  segmentSum,
} from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { EdgeIndexInput } from '../graph/edge-index.js';
import { segmentSoftmax } from '../ops/segment-softmax.js';
import {
  type SparseForwardOptions,
  usedEdgeIndex,
  type WithAttentionWeights,
} from './attention-weights.js';
import { edgelessForward } from './edgeless.js';
import { GATLayer } from './gat-layer.js';
import { combineHeads } from './heads.js';
import { checkFeatures, type GATOptions } from './options.js';
import { withEdgePlan } from './with-plan.js';

export interface GATv2Options extends GATOptions {
  /** Use one matrix for sources and targets (`lin_r` is `lin_l`), default false. */
  shareWeights?: boolean;
}

/**
 * PyTorch Geometric's `GATv2Conv` ("How Attentive are Graph Attention Networks?"): the score of
 * `j → i` is `⟨att, leaky_relu(lin_l(x)_j + lin_r(x)_i)⟩`, so the ranking of neighbours depends on
 * the target; messages are `lin_l(x)_j`. Parameters as in PyG: `lin_l.{weight,bias}`,
 * `lin_r.{weight,bias}` (`[heads·out, in]`), `att` `[1, heads, out]`, `bias`.
 */
export class GATv2Conv extends GATLayer {
  readonly shareWeights: boolean;
  readonly linL: Linear;
  readonly linR: Linear;
  readonly att: Parameter;
  readonly bias: Parameter | null;

  constructor(options: GATv2Options) {
    super('GATv2Conv', options);
    const { inChannels, outChannels, heads, rng } = this;
    this.shareWeights = options.shareWeights ?? false;
    const width = heads * outChannels;
    const makeLinear = () => {
      const lin = new Linear(inChannels, width, { bias: this.learnsBias, rng });
      // PyG's Linear(weight_initializer='glorot'); its bias keeps U(±1/√in), as nn.Linear's.
      tf.tidy(() => lin.weight.assign(glorot([width, inChannels], rng)));
      return lin;
    };
    this.linL = this.registerModule('lin_l', makeLinear());
    // Shared weights appear under both names, as in a PyTorch state dict.
    this.linR = this.registerModule('lin_r', this.shareWeights ? this.linL : makeLinear());
    this.att = this.registerParameter('att', glorot([1, heads, outChannels], rng));
    this.bias = this.learnsBias
      ? this.registerParameter('bias', tf.zeros([this.concat ? width : outChannels]))
      : null;
  }

  /**
   * Same contract as `GATConv.forward`. With `returnAttentionWeights` the alpha is the one before
   * dropout, as PyG's GATv2Conv returns it.
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
    checkFeatures('GATv2Conv', x, this.inChannels, '[numNodes, inChannels]', [2]);
    const split = (t: tf.Tensor) => tf.reshape(t, [-1, this.heads, this.outChannels]);
    return withEdgePlan(edgeIndex, x.shape[0], this.addSelfLoops, (plan) =>
      tf.tidy(() => {
        if (plan.sources.length === 0) {
          return edgelessForward(plan, this, this.bias, options.returnAttentionWeights);
        }
        const sourceFeatures = split(this.linL.forward(x));
        const targetFeatures = this.shareWeights ? sourceFeatures : split(this.linR.forward(x));
        const target = plan.layout.segmentIds;
        const messages = gatherRows(sourceFeatures, plan.source);
        const hidden = tf.leakyRelu(
          tf.add(messages, gatherRows(targetFeatures, target)),
          this.negativeSlope,
        );
        const alpha = segmentSoftmax(tf.sum(tf.mul(hidden, this.att), 2), plan.layout);
        const dropped =
          this.training && this.dropout > 0 ? applyDropout(alpha, this.dropout, this.rng) : alpha;
        const out = segmentSum(tf.mul(messages, tf.expandDims(dropped, 2)), target, plan.numNodes);
        const y = combineHeads(out, this.concat, this.bias);
        if (!options.returnAttentionWeights) return y;
        return [y, [usedEdgeIndex(plan), alpha]] as WithAttentionWeights;
      }),
    );
  }
}
