import { GPT2Config, type GPT2ConfigFields } from './config.js';

/**
 * The sizes of OpenAI's released GPT-2 models (as in their Hugging Face `config.json`), plus `tiny`:
 * a small model with the real 50257-token vocabulary for trying things without a checkpoint.
 */
const PRESETS = {
  tiny: { nLayer: 4, nHead: 4, nEmbd: 128, nPositions: 256 },
  gpt2: { nLayer: 12, nHead: 12, nEmbd: 768 },
  'gpt2-medium': { nLayer: 24, nHead: 16, nEmbd: 1024 },
  'gpt2-large': { nLayer: 36, nHead: 20, nEmbd: 1280 },
  'gpt2-xl': { nLayer: 48, nHead: 25, nEmbd: 1600 },
} satisfies Record<string, Partial<GPT2ConfigFields>>;

export type GPT2PresetName = keyof typeof PRESETS;

export const GPT2_PRESET_NAMES = Object.keys(PRESETS) as GPT2PresetName[];

/** A preset's configuration, optionally with some fields changed. */
export function gpt2Preset(
  name: GPT2PresetName,
  overrides: Partial<GPT2ConfigFields> = {},
): GPT2Config {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new Error(`unknown GPT-2 preset '${name}' (known: ${GPT2_PRESET_NAMES.join(', ')})`);
  }
  return new GPT2Config({ ...PRESETS[name], ...overrides });
}
