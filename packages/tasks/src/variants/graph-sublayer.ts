import { LayerNorm, Module } from '@lgpt/core';
import { GraphAttentionLayer } from '@lgpt/gat';
import type { BlockContext, GPT2Config, LayerRngs, ResidualSubLayer } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { variantConfig } from './variant-config.js';

/**
 * Learnable-GPT's graph attention as a block sub-layer after the MLP, with its own pre-norm and
 * residual: `h + attention(ln(h))`, where `attention` is `@lgpt/gat`'s `GraphAttentionLayer`
 * (GAT over the token graph fused with its input). The token graph is causal, so a language
 * model never sees the tokens it predicts; padding neither sends nor receives graph attention.
 */
export class GraphSubLayer extends Module implements ResidualSubLayer {
  /** Graph attention reads every token's state, which a KV-cached step does not have. */
  readonly needsFullSequence = true;
  readonly ln: LayerNorm;
  readonly attention: GraphAttentionLayer;

  constructor(config: GPT2Config, { initRng }: LayerRngs = {}) {
    super();
    this.ln = this.registerModule('ln', new LayerNorm(config.nEmbd, config.layerNormEpsilon));
    this.attention = this.registerModule(
      'attention',
      new GraphAttentionLayer({
        hiddenSize: config.nEmbd,
        numAttentionHeads: config.nHead,
        attentionProbsDropoutProb: config.attnPdrop,
        hiddenDropoutProb: variantConfig(config).hiddenHybridDropoutProb,
        graph: 'causal',
        rng: initRng,
      }),
    );
  }

  forward(hidden: tf.Tensor3D, context: BlockContext): tf.Tensor3D {
    const update = this.attention.forward(this.ln.forward(hidden), context.attentionMask);
    return tf.add(hidden, update) as tf.Tensor3D;
  }
}
