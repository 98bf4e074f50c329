import { Dropout, Module } from '@lgpt/core';
import type { FeedForward, GPT2Config, LayerRngs } from '@lgpt/gpt2';
import { KAN, type KANOptions } from '@lgpt/kan';
import type * as tf from '@tensorflow/tfjs-core';
import { variantConfig } from './variant-config.js';

/** The `kan_config` options a `KANMLP` reads (efficient-kan's `KANLinear` arguments, snake_case). */
const KAN_OPTION_NAMES: Record<string, keyof KANOptions> = {
  grid_size: 'gridSize',
  spline_order: 'splineOrder',
  scale_noise: 'scaleNoise',
  scale_base: 'scaleBase',
  scale_spline: 'scaleSpline',
  enable_standalone_scale_spline: 'enableStandaloneScaleSpline',
  base_activation: 'baseActivation',
  grid_eps: 'gridEps',
  grid_range: 'gridRange',
};

/**
 * Learnable-GPT's KAN feed-forward: a two-layer `KAN` hidden → `kan_config.hidden_size` (default
 * the MLP width) → hidden in place of `c_fc`/`c_proj`, then the block's residual dropout.
 * Parameters: `mlp.kan.layers.{0,1}.{grid, base_weight, spline_weight, spline_scaler}`.
 */
export class KANMLP extends Module implements FeedForward {
  readonly kan: KAN;
  readonly dropout: Dropout;

  constructor(config: GPT2Config, { initRng, dropoutRng }: LayerRngs = {}) {
    super();
    const { hidden_size: hiddenSize = config.innerDim, ...rest } =
      variantConfig(config).kanConfig ?? {};
    const options: Partial<KANOptions> = {};
    for (const [key, value] of Object.entries(rest)) {
      const name = KAN_OPTION_NAMES[key];
      if (!name) {
        throw new Error(
          `kan_config has unknown key '${key}' (known: hidden_size, ${Object.keys(KAN_OPTION_NAMES).join(', ')})`,
        );
      }
      (options as Record<string, unknown>)[name] = value;
    }
    if (!Number.isInteger(hiddenSize) || (hiddenSize as number) <= 0) {
      throw new Error(`kan_config.hidden_size must be a positive integer, got ${hiddenSize}`);
    }
    this.kan = this.registerModule(
      'kan',
      new KAN({
        ...options,
        layersHidden: [config.nEmbd, hiddenSize as number, config.nEmbd],
        rng: initRng,
      }),
    );
    this.dropout = this.registerModule('dropout', new Dropout(config.residPdrop, dropoutRng));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.dropout.forward(this.kan.forward(x));
  }
}
