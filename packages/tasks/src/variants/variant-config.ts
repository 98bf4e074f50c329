import type { GPT2Config } from '@lgpt/gpt2';

/**
 * Learnable-GPT's seven `config.json` keys. `GPT2Config` keeps them in `extra` (it models only
 * Hugging Face's fields); these are their camelCase names, JSON names and defaults.
 */
const VARIANT_FIELDS = {
  useKan: { json: 'use_kan', default: false, type: 'boolean' },
  useLora: { json: 'use_lora', default: false, type: 'boolean' },
  useGraph: { json: 'use_graph', default: false, type: 'boolean' },
  /** A PEFT-style LoRA config (`r`, `lora_alpha`, `target_modules`, …), kept as written. */
  loraConfig: { json: 'lora_config', default: null, type: 'object' },
  /** Options of the KAN MLP (`hidden_size`, and efficient-kan's `grid_size`, `spline_order`, …). */
  kanConfig: { json: 'kan_config', default: null, type: 'object' },
  hiddenDropoutProb: { json: 'hidden_dropout_prob', default: 0.1, type: 'number' },
  hiddenHybridDropoutProb: { json: 'hidden_hybrid_dropout_prob', default: 0.1, type: 'number' },
} as const;

/** The Learnable-GPT settings of a config (read from its `extra` keys). */
export interface VariantConfig {
  useKan: boolean;
  useLora: boolean;
  useGraph: boolean;
  loraConfig: Record<string, unknown> | null;
  kanConfig: Record<string, unknown> | null;
  hiddenDropoutProb: number;
  hiddenHybridDropoutProb: number;
}

type VariantField = keyof VariantConfig;
const NAMES = Object.keys(VARIANT_FIELDS) as VariantField[];

/** Reads the Learnable-GPT keys of `config.extra`, with defaults; a wrong type names the key. */
export function variantConfig(config: GPT2Config): VariantConfig {
  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    const { json, default: fallback, type } = VARIANT_FIELDS[name];
    const value = config.extra[json] ?? fallback;
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    if (value !== null && actual !== type) {
      throw new Error(`config.json: ${json} must be a ${type}, got ${JSON.stringify(value)}`);
    }
    if (type === 'number' && !((value as number) >= 0 && (value as number) < 1)) {
      throw new Error(`config.json: ${json} must be in [0, 1), got ${value}`);
    }
    out[name] = value;
  }
  return out as unknown as VariantConfig;
}

/** The `config.json` keys (snake_case) of some Learnable-GPT settings. */
export function variantJson(fields: Partial<VariantConfig>): Record<string, unknown> {
  return Object.fromEntries(
    NAMES.filter((name) => fields[name] !== undefined).map((name) => [
      VARIANT_FIELDS[name].json,
      fields[name],
    ]),
  );
}

/** A copy of `config` with some Learnable-GPT settings changed. */
export function withVariant(config: GPT2Config, fields: Partial<VariantConfig>): GPT2Config {
  const changed = config.with({}, variantJson(fields));
  variantConfig(changed);
  return changed;
}
