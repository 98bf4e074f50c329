import type { Module, Rng } from '@lgpt/core';
import type { GPT2Config } from '@lgpt/gpt2';
import { getPeftModel, type PeftModel } from '@lgpt/lora';
import { variantLoraConfig } from './variant.js';
import { variantConfig } from './variant-config.js';

/**
 * `use_lora`: injects LoRA (in place, PEFT-style) with `variantLoraConfig` and freezes everything
 * else; returns the `PeftModel`, or `null` when the config does not ask for LoRA. Apply it after
 * loading the base weights, as PEFT does.
 */
export function applyLoraVariant<M extends Module & { config: GPT2Config }>(
  model: M,
  options: { rng?: Rng } = {},
): PeftModel<M> | null {
  if (!variantConfig(model.config).useLora) return null;
  return getPeftModel(model, variantLoraConfig(model.config), 'default', options);
}
