import { manualSeed } from '@lgpt/core';
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
  /** `tiny`, a GPT-2 size (`gpt2`, `gpt2-medium`, …) or a Hugging Face checkpoint folder. */
  model: string;
  variant: VariantName;
  /** Seeds the initialisation of random (new) weights. */
  seed: number;
  /** Build a GPT-2 size from its config with random weights when no local checkpoint exists. */
  randomInit?: boolean;
}

export interface LoadedModel {
  lm: GPT2LMHeadModel;
  /** The LoRA wrapper of the `lora` variants (LoRA injected into `lm` in place). */
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
 * Builds the model a run asks for: the base GPT-2 (random `tiny`, a local Hugging Face checkpoint
 * folder, or a size name found in the Hugging Face cache), the variant's new modules, and LoRA for
 * the `lora` variants. The tokenizer is the checkpoint's own when it ships one, else GPT-2's.
 * `saved` restores a trained run: its model folder replaces the base, its adapter the fresh LoRA.
 */
export async function loadModel(spec: ModelSpec, saved: SavedWeights = {}): Promise<LoadedModel> {
  const switches = variantSwitches(spec.variant);
  manualSeed(spec.seed);
  let lm: GPT2LMHeadModel;
  let dir: string | null = saved.modelDir ?? null;
  let source: string;
  if (dir) {
    // A saved run's own model folder.
  } else if (isPreset(spec.model)) {
    dir = spec.model === 'tiny' ? null : await cachedCheckpoint(spec.model);
    if (dir === null && spec.model !== 'tiny' && !spec.randomInit) {
      throw new Error(
        `no local checkpoint for '${spec.model}' (looked in the Hugging Face cache, ${hubCache()}). ` +
          'Download one (e.g. `huggingface-cli download openai-community/gpt2 config.json model.safetensors ' +
          'tokenizer.json --local-dir gpt2`) and pass --model <folder>, or add --random-init to train from scratch',
      );
    }
  } else {
    dir = spec.model;
  }
  if (dir) {
    lm = await loadVariantModel(dir, switches);
    source = dir;
  } else {
    lm = createVariantModel(withVariant(gpt2Preset(spec.model as GPT2PresetName), switches));
    source = `${spec.model} (random init)`;
  }
  const tokenizer = dir ? await tokenizerFor(dir, lm.config.vocabSize) : await GPT2Tokenizer.load();
  const peft =
    switches.useLora && saved.adapterDir
      ? await PeftModel.fromPretrained(lm, saved.adapterDir, { isTrainable: true })
      : applyLoraVariant(lm);
  return { lm, peft, tokenizer, source, pretrained: dir !== null };
}

function isPreset(name: string): name is GPT2PresetName {
  return (GPT2_PRESET_NAMES as string[]).includes(name);
}

/** The checkpoint's tokenizer, or GPT-2's when the folder has none and the vocabularies agree. */
async function tokenizerFor(dir: string, vocabSize: number): Promise<GPT2Tokenizer> {
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const hasFiles =
    existsSync(join(dir, 'tokenizer.json')) ||
    (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt')));
  const tokenizer = hasFiles ? await GPT2Tokenizer.fromPretrained(dir) : await GPT2Tokenizer.load();
  if (tokenizer.vocabSize > vocabSize) {
    throw new Error(
      `${dir}: the model's vocabulary has ${vocabSize} tokens but ${hasFiles ? 'its tokenizer' : "GPT-2's tokenizer (the folder has none)"} has ${tokenizer.vocabSize}; ` +
        'add the matching tokenizer.json (or vocab.json + merges.txt) to the folder',
    );
  }
  return tokenizer;
}

function hubCache(): string {
  const home = process.env.HF_HOME ?? `${process.env.HOME ?? ''}/.cache/huggingface`;
  return process.env.HF_HUB_CACHE ?? `${home}/hub`;
}

/** A snapshot of `<name>` in the Hugging Face hub cache with config and safetensors weights. */
async function cachedCheckpoint(name: string): Promise<string | null> {
  const { existsSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  for (const repo of [`models--openai-community--${name}`, `models--${name}`]) {
    const snapshots = join(hubCache(), repo, 'snapshots');
    if (!existsSync(snapshots)) continue;
    for (const snapshot of readdirSync(snapshots)) {
      const dir = join(snapshots, snapshot);
      if (existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'model.safetensors')))
        return dir;
    }
  }
  return null;
}
