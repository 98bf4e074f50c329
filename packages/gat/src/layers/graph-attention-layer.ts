import { Dropout, Linear, Module, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TokenGraph } from '../graph/token-graph.js';
import { DenseGATConv } from './dense-gat-conv.js';

/** learnable-gpt's config fields for the block, camel-cased. */
export interface GraphAttentionConfig {
  hiddenSize: number;
  numAttentionHeads: number;
  /** Dropout on the GAT attention coefficients (`attention_probs_dropout_prob`, default 0.1). */
  attentionProbsDropoutProb?: number;
  /** Dropout after the fusion layer (`hidden_dropout_prob`, default 0.1). */
  hiddenDropoutProb?: number;
  /**
   * The token graph (default `'causal'`). learnable-gpt connected every token to every other one,
   * which lets a language model see the tokens it has to predict; `'full'` is only right for
   * classification, where the whole sequence is known.
   */
  graph?: TokenGraph;
  rng?: Rng;
}

export interface GraphAttentionForwardOptions {
  /**
   * The transformer branch fused with the graph branch (learnable-gpt's `transformer_output`),
   * `[batch, tokens, hidden]`; default: `hidden` itself.
   */
  transformerOutput?: tf.Tensor;
  /** Overrides the configured token graph for this call. */
  graph?: TokenGraph;
}

/**
 * learnable-gpt's `GraphAttentionLayer`: a GAT over the token graph (heads = n_head,
 * out = hidden / heads, concatenated), a projection, then
 * `fusion_dropout(fusion(concat[transformerOutput, graphOutput]))`. Parameter names follow the
 * original: `gat.{lin.weight, att_src, att_dst, bias}`, `gat_projection.*`, `fusion.*`.
 * Unlike the original's per-example loop, the whole batch runs as one dense computation.
 */
export class GraphAttentionLayer extends Module {
  readonly hiddenSize: number;
  readonly numAttentionHeads: number;
  readonly attentionHeadSize: number;
  readonly graph: TokenGraph;
  readonly gat: DenseGATConv;
  readonly gatProjection: Linear;
  readonly fusion: Linear;
  readonly fusionDropout: Dropout;

  constructor(config: GraphAttentionConfig) {
    super();
    const { hiddenSize, numAttentionHeads, rng } = config;
    if (!Number.isInteger(hiddenSize / numAttentionHeads)) {
      throw new RangeError(
        `GraphAttentionLayer: hiddenSize ${hiddenSize} is not divisible by numAttentionHeads ${numAttentionHeads}`,
      );
    }
    this.hiddenSize = hiddenSize;
    this.numAttentionHeads = numAttentionHeads;
    this.attentionHeadSize = hiddenSize / numAttentionHeads;
    this.graph = config.graph ?? 'causal';
    this.gat = this.registerModule(
      'gat',
      new DenseGATConv({
        inChannels: hiddenSize,
        outChannels: this.attentionHeadSize,
        heads: numAttentionHeads,
        concat: true,
        dropout: config.attentionProbsDropoutProb ?? 0.1,
        rng,
      }),
    );
    this.gatProjection = this.registerModule(
      'gat_projection',
      new Linear(hiddenSize, hiddenSize, { rng }),
    );
    this.fusion = this.registerModule('fusion', new Linear(2 * hiddenSize, hiddenSize, { rng }));
    this.fusionDropout = this.registerModule(
      'fusion_dropout',
      new Dropout(config.hiddenDropoutProb ?? 0.1, rng),
    );
  }

  /**
   * `hidden` `[batch, tokens, hiddenSize]`, `attentionMask` `[batch, tokens]` (1 = real token,
   * 0 = padding; padding tokens neither send nor receive graph attention). Returns
   * `[batch, tokens, hiddenSize]`.
   */
  forward(
    hidden: tf.Tensor,
    attentionMask: tf.Tensor | null = null,
    options: GraphAttentionForwardOptions = {},
  ): tf.Tensor {
    const transformerOutput = options.transformerOutput ?? hidden;
    if (hidden.rank !== 3 || hidden.shape[2] !== this.hiddenSize) {
      throw new RangeError(
        `GraphAttentionLayer: hidden must be [batch, tokens, ${this.hiddenSize}], got [${hidden.shape}]`,
      );
    }
    if (!tf.util.arraysEqual(transformerOutput.shape, hidden.shape)) {
      throw new RangeError(
        `GraphAttentionLayer: transformerOutput [${transformerOutput.shape}] must match hidden [${hidden.shape}]`,
      );
    }
    return tf.tidy(() => {
      const graphOutput = this.gatProjection.forward(
        this.gat.forward(hidden, options.graph ?? this.graph, { mask: attentionMask }),
      );
      const fused = this.fusion.forward(tf.concat([transformerOutput, graphOutput], -1));
      return this.fusionDropout.forward(fused);
    });
  }
}
