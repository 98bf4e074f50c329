import {
  type GPT2Config,
  GPT2LMHeadModel,
  type GPT2ModelOptions,
  type LoadPretrainedOptions,
} from '@lgpt/gpt2';
import { variantExtensions } from './variant.js';
import { type VariantConfig, variantJson } from './variant-config.js';

/** A GPT-2 language model with the modules its config's Learnable-GPT switches ask for. */
export function createVariantModel(
  config: GPT2Config,
  options: Omit<GPT2ModelOptions, 'extensions'> = {},
): GPT2LMHeadModel {
  return new GPT2LMHeadModel(config, { ...options, extensions: variantExtensions(config) });
}

/**
 * Loads a Hugging Face GPT-2 folder as a Learnable-GPT variant: `variant` changes the stored
 * settings (a plain GPT-2 checkpoint gets the variant's modules, initialised fresh); a folder saved
 * from a variant model brings its own `use_kan` / `use_graph` keys and trained weights.
 */
export function loadVariantModel(
  dir: string,
  variant: Partial<VariantConfig> = {},
  options: Omit<LoadPretrainedOptions, 'extensions'> = {},
): Promise<GPT2LMHeadModel> {
  return GPT2LMHeadModel.fromPretrained(dir, {
    ...options,
    extraOverrides: { ...options.extraOverrides, ...variantJson(variant) },
    extensions: variantExtensions,
  });
}
