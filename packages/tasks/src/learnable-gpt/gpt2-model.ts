import {
  Dropout,
  Embedding,
  LayerNorm,
  Linear,
  linear,
  Module,
  ModuleList,
  type Rng,
  slice,
} from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { SeedGPT2Layer } from './gpt2-layer.js';
import { PaddedEmbedding } from './padded-embedding.js';
import { SEED_BODY, type SeedModelConfig } from './seed-config.js';

/**
 * The seed's `GPT2Model` (`models/gpt2.py`) under its own names: `word_embedding` (padding index
 * 0), `pos_embedding`, the `position_ids` buffer `[1, P]` (int32; PyTorch's is int64),
 * `gpt_layers.{i}`, `pooler_dense` (built but never used, so it never gets a gradient) and
 * `final_layer_norm`. Weights are in `nn.Linear` layout `[out, in]`.
 */
export class SeedGPT2Model extends Module {
  readonly wordEmbedding: PaddedEmbedding;
  readonly posEmbedding: Embedding;
  readonly embedDropout: Dropout;
  readonly gptLayers: ModuleList<SeedGPT2Layer>;
  readonly poolerDense: Linear;
  readonly finalLayerNorm: LayerNorm;

  constructor(
    readonly config: SeedModelConfig,
    rng?: Rng,
  ) {
    super();
    const { vocabSize, maxPositions, hiddenSize: c } = config;
    this.wordEmbedding = this.registerModule(
      'word_embedding',
      new PaddedEmbedding(vocabSize, c, SEED_BODY.paddingIdx, { initStd: 0.02, rng }),
    );
    this.posEmbedding = this.registerModule(
      'pos_embedding',
      new Embedding(maxPositions, c, { initStd: 0.02, rng }),
    );
    this.embedDropout = this.registerModule(
      'embed_dropout',
      new Dropout(config.dropouts.hidden, rng),
    );
    this.registerBuffer(
      'position_ids',
      tf.reshape(tf.range(0, maxPositions, 1, 'int32'), [1, maxPositions]),
    );
    this.gptLayers = this.registerModule(
      'gpt_layers',
      new ModuleList(
        Array.from({ length: config.numLayers }, () => new SeedGPT2Layer(config, rng)),
      ),
    );
    this.poolerDense = this.registerModule('pooler_dense', new Linear(c, c, { rng }));
    this.finalLayerNorm = this.registerModule(
      'final_layer_norm',
      new LayerNorm(c, SEED_BODY.layerNormEps),
    );
  }

  /** Parameters the forward never reads: the seed's unused `pooler_dense`. */
  unusedParameterNames(prefix = ''): string[] {
    return this.poolerDense.namedParameters().map(([name]) => `${prefix}pooler_dense.${name}`);
  }

  /**
   * `inputIds` `[B, T]` → the final layer norm's output `[B, T, C]`. The batch's attention mask
   * is no input: the seed's layers ignore it (only the heads read it).
   */
  forward(inputIds: tf.Tensor): tf.Tensor {
    const [, length] = inputIds.shape;
    if (inputIds.rank !== 2 || length > this.config.maxPositions) {
      throw new RangeError(
        `input_ids must be [batch, tokens] with at most ${this.config.maxPositions} tokens, got [${inputIds.shape}]`,
      );
    }
    return tf.tidy(() => {
      const positions = slice(this.getBuffer('position_ids'), [0, 0], [1, length]);
      const embeddings = tf.add(
        this.wordEmbedding.forward(inputIds),
        this.posEmbedding.forward(positions),
      );
      let h = this.embedDropout.forward(embeddings);
      for (const layer of this.gptLayers) h = layer.forward(h);
      return this.finalLayerNorm.forward(h);
    });
  }

  /** `hidden_state_to_token`: logits against the tied word embedding, `h · Eᵀ` (no bias). */
  hiddenStateToToken(hidden: tf.Tensor): tf.Tensor {
    return linear(hidden, this.wordEmbedding.weight);
  }
}
