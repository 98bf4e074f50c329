import {
  Dropout,
  kaimingUniform,
  type LinearLike,
  Module,
  type Parameter,
  type Rng,
  uniform,
} from '@lgpt/core';
import { loraLinear } from '@lgpt/lora';
import * as tf from '@tensorflow/tfjs-core';
import { SEED_BODY } from './seed-config.js';

/**
 * The seed's `LoRALinear` (`modules/lora_layer.py`): an `nn.Linear`-layout base weight and bias,
 * frozen at construction, plus `lora_A` `[r, in]` and `lora_B` `[out, r]` (zeros) as direct
 * parameters: `y = x·Wᵀ + b + scaling · B(A(dropout(x)))`, scaling = 8 / 16 (see `SEED_BODY`).
 */
export class SeedLoRALinear extends Module implements LinearLike {
  readonly fanInFanOut = false;
  weight: Parameter;
  bias: Parameter;
  readonly loraA: Parameter;
  readonly loraB: Parameter;
  readonly loraDropout: Dropout;
  readonly scaling = SEED_BODY.loraAlpha / SEED_BODY.loraR;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    dropout: number,
    rng?: Rng,
  ) {
    super();
    const r = SEED_BODY.loraR;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter(
      'weight',
      kaimingUniform([outFeatures, inFeatures], inFeatures, Math.sqrt(5), rng),
      false,
    );
    this.bias = this.registerParameter('bias', uniform([outFeatures], -bound, bound, rng), false);
    this.loraA = this.registerParameter(
      'lora_A',
      kaimingUniform([r, inFeatures], inFeatures, Math.sqrt(5), rng),
    );
    this.loraB = this.registerParameter('lora_B', tf.zeros([outFeatures, r]));
    this.loraDropout = this.registerModule('lora_dropout', new Dropout(dropout, rng));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return loraLinear(x, {
      weight: this.weight,
      bias: this.bias,
      loraA: this.loraA,
      loraB: this.loraB,
      scaling: this.scaling,
      dropout: (input) => this.loraDropout.forward(input),
    });
  }
}
