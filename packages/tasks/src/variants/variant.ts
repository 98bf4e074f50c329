import type { BlockExtensions, GPT2Config } from '@lgpt/gpt2';
import { fromPeftDict, type LoraConfig, type LoraConfigInit } from '@lgpt/lora';
import { GraphSubLayer } from './graph-sublayer.js';
import { KANMLP } from './kan-mlp.js';
import { type VariantConfig, variantConfig } from './variant-config.js';

/** The architectures Learnable-GPT compared, by name. */
export const VARIANT_NAMES = ['base', 'lora', 'kan', 'kan-lora', 'graph', 'graph-lora'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

export type VariantSwitches = Pick<VariantConfig, 'useKan' | 'useLora' | 'useGraph'>;

/** The config switches of each variant. */
export function variantSwitches(name: VariantName): VariantSwitches {
  if (!VARIANT_NAMES.includes(name)) {
    throw new Error(`unknown variant '${name}' (known: ${VARIANT_NAMES.join(', ')})`);
  }
  return {
    useKan: name === 'kan' || name === 'kan-lora',
    useLora: name.endsWith('lora'),
    useGraph: name.startsWith('graph'),
  };
}

/** Block sub-layer names the variants add: graph attention is registered as `graph`. */
export const GRAPH_LAYER_NAME = 'graph';

/** The block hooks a config's switches ask for: a KAN MLP (`use_kan`), graph attention (`use_graph`). */
export function variantExtensions(config: GPT2Config): BlockExtensions {
  const { useKan, useGraph } = variantConfig(config);
  return {
    createMlp: useKan ? (c, _i, rngs) => new KANMLP(c, rngs) : undefined,
    createExtraLayers: useGraph
      ? (c, _i, rngs) => [[GRAPH_LAYER_NAME, new GraphSubLayer(c, rngs)]]
      : undefined,
  };
}

/**
 * The LoRA config of `use_lora`: `config.lora_config` (PEFT's snake_case keys) if given, else
 * Learnable-GPT's: r 16, alpha 32, dropout 0.1 on the MLP (`mlp.c_fc` and `mlp.c_proj`; with
 * `use_kan`, the base paths of the KAN layers). New graph-attention layers train in full
 * (`modules_to_save`).
 */
export function variantLoraConfig(config: GPT2Config): LoraConfig | LoraConfigInit {
  const { loraConfig, useKan, useGraph } = variantConfig(config);
  if (loraConfig) {
    return fromPeftDict({ peft_type: 'LORA', ...loraConfig }, 'config lora_config');
  }
  return {
    r: 16,
    loraAlpha: 32,
    loraDropout: 0.1,
    targetModules: useKan ? ['mlp.kan.layers.0', 'mlp.kan.layers.1'] : ['mlp.c_fc', 'mlp.c_proj'],
    modulesToSave: useGraph ? [GRAPH_LAYER_NAME] : null,
    taskType: 'CAUSAL_LM',
  };
}

/**
 * Model keys of the modules a variant adds (not in a plain GPT-2 checkpoint): the KAN MLP and the
 * graph sub-layers. `fromPretrained` initialises these fresh instead of loading them.
 */
export function newModuleKeys(config: GPT2Config): RegExp | null {
  const { useKan, useGraph } = variantConfig(config);
  const parts = [...(useKan ? ['mlp'] : []), ...(useGraph ? [GRAPH_LAYER_NAME] : [])];
  return parts.length ? new RegExp(`^transformer\\.h\\.\\d+\\.(${parts.join('|')})\\.`) : null;
}
