import { geluErf, Linear, type Module, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { SeedKAN } from './kan.js';
import { SeedLoRALinear } from './lora-linear.js';
import { SEED_BODY, type SeedModelConfig } from './seed-config.js';

/** The registering half of `Module`, for building a layer's feed-forward children in place. */
type Register = <M extends Module>(name: string, module: M) => M;

/** A seed layer's MLP: `[B, T, C]` → `[B, T, C]`. */
export type SeedFeedForward = (x: tf.Tensor) => tf.Tensor;

/**
 * Registers the feed-forward children of `modules/gpt2_layer.py` for the variant under the seed's
 * names and returns the forward function:
 * - base / graph: `out_dense(gelu(interm_dense(x)))` with exact erf GELU (`F.gelu`);
 * - lora: the same with `SeedLoRALinear`s;
 * - kan: `out_kan(interm_kan(x))`, C → int(1.5C) → C with no activation between (the seed builds
 *   `out_kan` as `[C, int(1.5C)]` and crashes; this is the fixed version its fixtures document);
 * - lorakan: the same with LoRA-KAN layers, C → 4C → C (its `interm_af` is never applied).
 */
export function registerFeedForward(
  config: SeedModelConfig,
  register: Register,
  rng?: Rng,
): SeedFeedForward {
  const c = config.hiddenSize;
  const { variant } = config;
  if (variant === 'kan' || variant === 'lorakan') {
    const inner = variant === 'kan' ? Math.trunc(c * SEED_BODY.kanWidthFactor) : 4 * c;
    const withLora = variant === 'lorakan';
    const interm = register('interm_kan', new SeedKAN(c, inner, withLora, rng));
    const out = register('out_kan', new SeedKAN(inner, c, withLora, rng));
    return (x) => out.forward(interm.forward(x));
  }
  const [interm, out] =
    variant === 'lora'
      ? [
          new SeedLoRALinear(c, 4 * c, config.dropouts.lora, rng),
          new SeedLoRALinear(4 * c, c, config.dropouts.lora, rng),
        ]
      : [new Linear(c, 4 * c, { rng }), new Linear(4 * c, c, { rng })];
  register('interm_dense', interm);
  register('out_dense', out);
  return (x) => tf.tidy(() => out.forward(geluErf(interm.forward(x))));
}
