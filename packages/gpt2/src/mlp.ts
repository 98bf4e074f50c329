import {
  activation,
  Conv1D,
  Dropout,
  type LinearLike,
  Module,
  withoutWeightProducts,
} from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { GPT2Config } from './config.js';
import type { LayerRngs } from './rngs.js';

/**
 * What a block's feed-forward sub-layer must be: a module from `[B, T, C]` to `[B, T, C]`. The
 * standard one is `GPT2MLP`; an adapter (KAN) supplies its own through `BlockExtensions.createMlp`.
 */
export interface FeedForward extends Module {
  /**
   * `outputUnused`: the output's value will not be read (a checkpointed block recomputed for its
   * gradients), so work that only produces it may be skipped.
   */
  forward(x: tf.Tensor, options?: { outputUnused?: boolean }): tf.Tensor;
}

/** Hugging Face's `GPT2MLP`: `c_fc` → activation → `c_proj` → dropout. */
export class GPT2MLP extends Module implements FeedForward {
  cFc: LinearLike;
  cProj: LinearLike;
  readonly dropout: Dropout;
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(config: GPT2Config, { initRng, dropoutRng }: LayerRngs = {}) {
    super();
    const projStd = config.initializerRange / Math.sqrt(2 * config.nLayer);
    this.cFc = this.registerModule(
      'c_fc',
      new Conv1D(config.nEmbd, config.innerDim, { initStd: config.initializerRange, rng: initRng }),
    );
    this.cProj = this.registerModule(
      'c_proj',
      new Conv1D(config.innerDim, config.nEmbd, { initStd: projStd, rng: initRng }),
    );
    this.dropout = this.registerModule('dropout', new Dropout(config.residPdrop, dropoutRng));
    this.act = activation(config.activationFunction);
  }

  forward(x: tf.Tensor, { outputUnused = false } = {}): tf.Tensor {
    const hidden = this.act(this.cFc.forward(x));
    // `c_proj`'s product is a third of the block's arithmetic, and no gradient reads it.
    const out =
      outputUnused && this.cProj.gradientsIgnoreOutput === true
        ? withoutWeightProducts(() => this.cProj.forward(hidden))
        : this.cProj.forward(hidden);
    return this.dropout.forward(out);
  }
}
