import { batchMatMul } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { type TokenGraph, tokenGraphMask } from '../graph/token-graph.js';
import { maskedSoftmax } from '../ops/masked-softmax.js';
import { GATParameters } from './gat-parameters.js';
import { combineHeads } from './heads.js';
import { checkFeatures, type GATOptions } from './options.js';

export interface DenseForwardOptions {
  /**
   * Padding mask `[batch, tokens]` (`[tokens]` for unbatched `x`): 1 = real token, 0 = padding.
   * Padding tokens neither send nor receive attention and their outputs are zero (PyG's `mask`).
   */
  mask?: tf.Tensor | null;
  /** Also return the attention coefficients `[batch, heads, target, source]`. */
  returnAttentionWeights?: boolean;
}

/**
 * GAT over token graphs, batched: PyG's `DenseGATConv` math with `GATConv`'s parameters (same
 * names, same state dict), on `x` `[batch, tokens, inChannels]` and a graph given as `'full'`,
 * `'causal'` or an adjacency mask. Every sequence of the batch runs in one computation (no loop
 * over examples); the graph's mask is built per call (nothing is cached). On the same graph it computes
 * what `GATConv` computes on the equivalent edge list.
 */
export class DenseGATConv extends GATParameters {
  constructor(options: GATOptions) {
    super('DenseGATConv', options);
  }

  /**
   * Returns `[batch, tokens, heads·out]` (concat) or `[batch, tokens, out]`; with
   * `returnAttentionWeights`, `[out, alpha [batch, heads, target, source]]`.
   */
  forward(
    x: tf.Tensor,
    graph: TokenGraph,
    options: DenseForwardOptions & { returnAttentionWeights: true },
  ): [tf.Tensor, tf.Tensor];
  forward(
    x: tf.Tensor,
    graph?: TokenGraph,
    options?: DenseForwardOptions & { returnAttentionWeights?: false },
  ): tf.Tensor;
  forward(
    x: tf.Tensor,
    graph?: TokenGraph,
    options?: DenseForwardOptions,
  ): tf.Tensor | [tf.Tensor, tf.Tensor];
  forward(
    x: tf.Tensor,
    graph: TokenGraph = 'full',
    options: DenseForwardOptions = {},
  ): tf.Tensor | [tf.Tensor, tf.Tensor] {
    checkFeatures(
      'DenseGATConv',
      x,
      this.inChannels,
      '[batch, tokens, inChannels] or [tokens, inChannels]',
      [2, 3],
    );
    const unbatched = x.rank === 2;
    return tf.tidy(() => {
      const batched = unbatched ? tf.expandDims(x, 0) : x;
      const [batch, length] = batched.shape;
      const mask = options.mask && unbatched ? tf.expandDims(options.mask, 0) : options.mask;
      const allowed = tokenGraphMask(graph, this.addSelfLoops, batch, length, mask ?? undefined);

      const { h, sourceScore, targetScore } = this.project(batched);
      const perHead = (score: tf.Tensor) => tf.transpose(score, [0, 2, 1]);
      // scores[b, head, i, j] for the edge j → i
      const scores = tf.leakyRelu(
        tf.add(tf.expandDims(perHead(targetScore), 3), tf.expandDims(perHead(sourceScore), 2)),
        this.negativeSlope,
      );
      const alpha = this.dropAttention(maskedSoftmax(scores, allowed));
      const aggregated = batchMatMul(alpha, tf.transpose(h, [0, 2, 1, 3]));
      let out = combineHeads(tf.transpose(aggregated, [0, 2, 1, 3]), this.concat, this.bias);
      if (mask) out = tf.mul(out, tf.expandDims(tf.cast(tf.notEqual(mask, 0), 'float32'), 2));

      const result = unbatched ? tf.squeeze(out, [0]) : out;
      if (!options.returnAttentionWeights) return result;
      return [result, unbatched ? tf.squeeze(alpha, [0]) : alpha] as [tf.Tensor, tf.Tensor];
    });
  }
}
