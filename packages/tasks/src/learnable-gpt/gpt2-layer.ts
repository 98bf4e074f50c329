import { Dropout, LayerNorm, Linear, Module, type Rng } from '@lgpt/core';
import { GraphAttentionLayer } from '@lgpt/gat';
import * as tf from '@tensorflow/tfjs-core';
import { SeedCausalSelfAttention } from './causal-self-attention.js';
import { registerFeedForward, type SeedFeedForward } from './feed-forward.js';
import { SEED_BODY, type SeedModelConfig } from './seed-config.js';

/**
 * The seed's `GPT2Layer` (`modules/gpt2_layer.py`), pre-norm:
 * `h += attention_dropout(attention_dense(attn(ln_1(h))))`; `h += out_dropout(FF(ln_2(h)))`; with
 * the graph variant also `h += out_dropout(fusion(cat[h, gat_projection(GAT(graph_layer_norm(h)))]))`,
 * the GAT running over a fully connected graph of all positions, padding included.
 */
export class SeedGPT2Layer extends Module {
  readonly selfAttention: SeedCausalSelfAttention;
  readonly attentionDense: Linear;
  readonly attentionLayerNorm: LayerNorm;
  readonly attentionDropout: Dropout;
  readonly outLayerNorm: LayerNorm;
  readonly outDropout: Dropout;
  readonly graphAttention: GraphAttentionLayer | null = null;
  readonly graphLayerNorm: LayerNorm | null = null;
  private readonly feedForward: SeedFeedForward;

  constructor(config: SeedModelConfig, rng?: Rng) {
    super();
    const c = config.hiddenSize;
    const eps = SEED_BODY.layerNormEps;
    this.selfAttention = this.registerModule(
      'self_attention',
      new SeedCausalSelfAttention(config, rng),
    );
    this.attentionDense = this.registerModule('attention_dense', new Linear(c, c, { rng }));
    this.attentionLayerNorm = this.registerModule('attention_layer_norm', new LayerNorm(c, eps));
    this.attentionDropout = this.registerModule(
      'attention_dropout',
      new Dropout(config.dropouts.hidden, rng),
    );
    this.feedForward = registerFeedForward(config, (name, m) => this.registerModule(name, m), rng);
    this.outLayerNorm = this.registerModule('out_layer_norm', new LayerNorm(c, eps));
    this.outDropout = this.registerModule('out_dropout', new Dropout(config.dropouts.hidden, rng));
    if (config.variant === 'graph') {
      this.graphAttention = this.registerModule(
        'graph_attention',
        new GraphAttentionLayer({
          hiddenSize: c,
          numAttentionHeads: config.numHeads,
          attentionProbsDropoutProb: config.dropouts.attention,
          hiddenDropoutProb: config.dropouts.hidden,
          graph: 'full',
          rng,
        }),
      );
      this.graphLayerNorm = this.registerModule('graph_layer_norm', new LayerNorm(c, eps));
    }
  }

  forward(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const attended = this.selfAttention.forward(this.attentionLayerNorm.forward(hidden));
      let h = tf.add(hidden, this.attentionDropout.forward(this.attentionDense.forward(attended)));
      h = tf.add(h, this.outDropout.forward(this.feedForward(this.outLayerNorm.forward(h))));
      if (this.graphAttention && this.graphLayerNorm) {
        // No padding mask: the seed's graph connects every position, pads included.
        const fused = this.graphAttention.forward(this.graphLayerNorm.forward(h), null, {
          transformerOutput: h,
        });
        h = tf.add(h, this.outDropout.forward(fused));
      }
      return h;
    });
  }
}
