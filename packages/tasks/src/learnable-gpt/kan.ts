import { kaimingUniform, Module, ModuleList, type Parameter, type Rng } from '@lgpt/core';
import { KANLinear } from '@lgpt/kan';
import { loraDelta } from '@lgpt/lora';
import * as tf from '@tensorflow/tfjs-core';
import { SEED_BODY } from './seed-config.js';

/**
 * The seed's `LoRAKANLinear` (`modules/lorakan_layer.py`): an efficient-kan `KANLinear` whose base
 * weight, spline weight and scaler are frozen at construction, with LoRA on the base path only:
 * `silu(x)·W_baseᵀ + scaling·B(A(silu(x))) + b_splines(x)·scaled_spline_weightᵀ` (no LoRA
 * dropout; scaling `lora_alpha / r` = 8 / 16).
 */
export class LoRAKANLinear extends KANLinear {
  readonly loraA: Parameter;
  readonly loraB: Parameter;
  readonly scaling = SEED_BODY.loraAlpha / SEED_BODY.loraR;

  constructor(inFeatures: number, outFeatures: number, rng?: Rng) {
    super({ inFeatures, outFeatures, rng });
    const r = SEED_BODY.loraR;
    this.loraA = this.registerParameter(
      'lora_A',
      kaimingUniform([r, inFeatures], inFeatures, Math.sqrt(5), rng),
    );
    this.loraB = this.registerParameter('lora_B', tf.zeros([outFeatures, r]));
    this.baseWeight.trainable = false;
    this.splineWeight.trainable = false;
    if (this.splineScaler) this.splineScaler.trainable = false;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const delta = loraDelta(this.weightInput(x), {
        loraA: this.loraA,
        loraB: this.loraB,
        scaling: this.scaling,
      });
      return tf.add(super.forward(x), delta);
    });
  }
}

/**
 * efficient-kan's `KAN` container as the seed uses it (`interm_kan`, `out_kan`): one layer here,
 * `layers.0`, either a plain `KANLinear` (default options) or a `LoRAKANLinear`.
 */
export class SeedKAN extends Module {
  readonly layers: ModuleList<KANLinear>;

  constructor(inFeatures: number, outFeatures: number, withLora: boolean, rng?: Rng) {
    super();
    const layer = withLora
      ? new LoRAKANLinear(inFeatures, outFeatures, rng)
      : new KANLinear({ inFeatures, outFeatures, rng });
    this.layers = this.registerModule('layers', new ModuleList([layer]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      for (const layer of this.layers) h = layer.forward(h);
      return h;
    });
  }
}
