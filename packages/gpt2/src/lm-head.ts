import { linear, Module, normal, type Parameter, type Rng } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The language-model head: logits = h·Wᵀ with `W` `[vocab, n_embd]` and no bias. Tied (GPT-2's
 * default) it shares the token embedding's variable, so `lm_head.weight` and
 * `transformer.wte.weight` are one parameter.
 */
export class LMHead extends Module {
  readonly weight: Parameter;

  constructor(
    readonly tied: boolean,
    embedding: Parameter,
    initStd: number,
    initRng?: Rng,
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      tied ? embedding : normal(embedding.shape, 0, initStd, initRng),
    );
  }

  /**
   * `linear` multiplies by an explicitly transposed weight (tfjs-wasm's `transposeB` matMul is
   * ~8× slower on this shape) and skips the weight gradient when it is frozen.
   */
  forward(hidden: tf.Tensor): tf.Tensor {
    return linear(hidden, this.weight, null, false);
  }
}
