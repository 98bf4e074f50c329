import { HubError, type HubOptions, manualSeed } from '@lgpt/core';
import {
  GPT2_PRESET_NAMES,
  type GPT2LMHeadModel,
  type GPT2PresetName,
  GPT2Tokenizer,
  gpt2Preset,
} from '@lgpt/gpt2';
import { PeftModel } from '@lgpt/lora';
import { applyLoraVariant } from '../variants/apply-lora.js';
import { type VariantName, variantSwitches } from '../variants/variant.js';
import { withVariant } from '../variants/variant-config.js';
import { createVariantModel, loadVariantModel } from '../variants/variant-model.js';

export interface ModelSpec {
  /**
   * `tiny`, a GPT-2 size (`gpt2`, `gpt2-medium`, …), a Hugging Face checkpoint folder, an http(s)
   * base URL or a Hub id (`owner/name`); sizes and ids are downloaded into the Hugging Face cache.
   */
  model: string;
  variant: VariantName;
  /** Seeds the initialisation of random (new) weights. */
  seed: number;
  /** Build a GPT-2 size from its config with random weights when no cached checkpoint exists. */
  randomInit?: boolean;
  /** A PEFT adapter (folder, URL or Hub id) loaded onto the model instead of a fresh LoRA. */
  adapter?: string;
}

export interface LoadedModel {
  lm: GPT2LMHeadModel;
  /** The LoRA wrapper of the `lora` variants or of `adapter` (injected into `lm` in place). */
  peft: PeftModel<GPT2LMHeadModel> | null;
  tokenizer: GPT2Tokenizer;
  /** Where the weights came from, for logs and run records. */
  source: string;
  /** True when the base weights came from a checkpoint (not random). */
  pretrained: boolean;
}

/** A saved run's weights: its fine-tuned GPT-2 folder and/or its PEFT adapter folder. */
export interface SavedWeights {
  modelDir?: string;
  adapterDir?: string;
}

/**
 * Builds the model a run asks for: the base GPT-2 (random `tiny`, or a checkpoint by folder, URL,
 * Hub id or size name, downloaded when not cached), the variant's new modules, and LoRA for the
 * `lora` variants (or the PEFT adapter `spec.adapter`). The tokenizer is the checkpoint's own when
 * it ships one, else GPT-2's. `saved` restores a trained run: its model folder replaces the base,
 * its adapter the fresh LoRA. `hub` passes download options (progress, revision, offline).
 */
export async function loadModel(
  spec: ModelSpec,
  saved: SavedWeights = {},
  hub: HubOptions = {},
): Promise<LoadedModel> {
  const switches = variantSwitches(spec.variant);
  manualSeed(spec.seed);
  const source = saved.modelDir ?? (spec.model === 'tiny' ? null : spec.model);
  let lm: GPT2LMHeadModel | null = null;
  if (source !== null) {
    // --random-init builds a size from its config unless a copy is already cached.
    const cachedOnly = !saved.modelDir && spec.randomInit && isPreset(spec.model);
    if (cachedOnly) hub = { ...hub, offline: true };
    lm = await loadVariantModel(source, switches, hub).catch((error: unknown) => {
      if (cachedOnly && error instanceof HubError && error.code === 'offline-miss') return null;
      throw error;
    });
  }
  const pretrained = lm !== null;
  lm ??= createVariantModel(withVariant(gpt2Preset(spec.model as GPT2PresetName), switches));
  const tokenizer = pretrained
    ? await tokenizerFor(source as string, lm.config.vocabSize, hub)
    : await GPT2Tokenizer.load();
  const adapter = saved.adapterDir ?? spec.adapter;
  const peft = adapter
    ? await PeftModel.fromPretrained(lm, adapter, { ...hub, isTrainable: true })
    : applyLoraVariant(lm);
  return {
    lm,
    peft,
    tokenizer,
    source: pretrained ? (source as string) : `${spec.model} (random init)`,
    pretrained,
  };
}

function isPreset(name: string): name is GPT2PresetName {
  return (GPT2_PRESET_NAMES as string[]).includes(name);
}

/** The checkpoint's tokenizer (GPT-2's when it has none), checked against the model's vocabulary. */
async function tokenizerFor(
  source: string,
  vocabSize: number,
  hub: HubOptions,
): Promise<GPT2Tokenizer> {
  const tokenizer = await GPT2Tokenizer.fromPretrained(source, hub);
  if (tokenizer.vocabSize > vocabSize) {
    throw new Error(
      `${source}: the model's vocabulary has ${vocabSize} tokens but its tokenizer (GPT-2's when the checkpoint has none) has ${tokenizer.vocabSize}; ` +
        'add the matching tokenizer.json (or vocab.json + merges.txt) to the checkpoint',
    );
  }
  return tokenizer;
}
