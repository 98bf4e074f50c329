import type { Module, Rng } from '@lgpt/core';
import { getPeftModel, type PeftModel } from '@lgpt/lora';
import type { GPT2Config } from '../config.js';
import { variantLoraConfig } from './variant.js';

/**
 * `use_lora`: injects LoRA (in place, PEFT-style) with `variantLoraConfig` and freezes everything
 * else; returns the `PeftModel`, or `null` when the config does not ask for LoRA. Apply it after
 * loading the base weights, as PEFT does.
 */
export function applyLoraVariant<M extends Module & { config: GPT2Config }>(
  model: M,
  options: { rng?: Rng } = {},
): PeftModel<M> | null {
  if (!model.config.useLora) return null;
  return getPeftModel(model, variantLoraConfig(model.config), 'default', options);
}
