import { LoraConfig, type LoraConfigInit } from './config.js';
import { checkPeftField } from './peft-config-checks.js';
import { PyFloat, pythonJsonDumps } from './python-json.js';

/** The PEFT release whose `adapter_config.json` layout this package reads and writes. */
export const PEFT_FORMAT_VERSION = '0.20.0';

/**
 * Keys of PEFT 0.20's `adapter_config.json` for features this package does not implement, with the
 * value PEFT writes when the feature is off. A file whose value differs uses that feature and is
 * refused; otherwise the value is kept (in `peftExtras`) and written back as read.
 */
const INACTIVE_FEATURES: Record<string, unknown> = {
  alora_invocation_tokens: null,
  arrow_config: null,
  auto_mapping: null,
  corda_config: null,
  ensure_weight_tying: false,
  eva_config: null,
  layer_replication: null,
  loftq_config: {},
  lora_ga_config: null,
  megatron_config: null,
  megatron_core: 'megatron.core',
  monteclora_config: null,
  qalora_group_size: 16,
  target_parameters: null,
  trainable_token_indices: null,
  use_bdlora: null,
  use_qalora: false,
  velora_config: null,
};

/** Keys whose value is only meaningful together with a feature flag that is off. */
const ALWAYS_INERT = new Set(['auto_mapping', 'megatron_core', 'qalora_group_size']);

/** PEFT's dict for `config` (what `LoraConfig.to_dict()` gives, with `peft_version` added on save). */
export function toPeftDict(config: LoraConfig): Record<string, unknown> {
  return {
    ...INACTIVE_FEATURES,
    ...config.peftExtras,
    alpha_pattern: { ...config.alphaPattern },
    base_model_name_or_path: config.baseModelNameOrPath,
    bias: config.bias,
    exclude_modules: config.excludeModules,
    fan_in_fan_out: config.fanInFanOut,
    inference_mode: config.inferenceMode,
    init_lora_weights: config.initLoraWeights,
    layers_pattern: config.layersPattern,
    layers_to_transform: config.layersToTransform,
    lora_alpha: config.loraAlpha,
    lora_bias: config.loraBias,
    lora_dropout: new PyFloat(config.loraDropout),
    modules_to_save: config.modulesToSave,
    peft_type: 'LORA',
    peft_version: PEFT_FORMAT_VERSION,
    r: config.r,
    rank_pattern: { ...config.rankPattern },
    revision: config.revision,
    target_modules: config.targetModules,
    task_type: config.taskType,
    use_dora: config.useDora,
    use_rslora: config.useRslora,
  };
}

/** `adapter_config.json` text exactly as PEFT writes it (`json.dumps(indent=2, sort_keys=True)`). */
export function toPeftJson(config: LoraConfig): string {
  return pythonJsonDumps(toPeftDict(config));
}

/** Keys this package maps onto `LoraConfig` fields. */
const FIELD_KEYS: Record<string, keyof LoraConfigInit> = {
  alpha_pattern: 'alphaPattern',
  base_model_name_or_path: 'baseModelNameOrPath',
  bias: 'bias',
  exclude_modules: 'excludeModules',
  fan_in_fan_out: 'fanInFanOut',
  inference_mode: 'inferenceMode',
  init_lora_weights: 'initLoraWeights',
  layers_pattern: 'layersPattern',
  layers_to_transform: 'layersToTransform',
  lora_alpha: 'loraAlpha',
  lora_bias: 'loraBias',
  lora_dropout: 'loraDropout',
  modules_to_save: 'modulesToSave',
  r: 'r',
  rank_pattern: 'rankPattern',
  revision: 'revision',
  target_modules: 'targetModules',
  task_type: 'taskType',
  use_dora: 'useDora',
  use_rslora: 'useRslora',
};

/** Written by us on every save, so not carried over from the file. */
const REWRITTEN = new Set(['peft_type', 'peft_version']);

/**
 * Reads PEFT's dict (a parsed `adapter_config.json`). `source` names the file in errors. Adapters
 * that use a PEFT feature this package lacks (DoRA excepted: it is implemented) are refused with the
 * key and value at fault, never loaded half-right.
 */
export function fromPeftDict(dict: Record<string, unknown>, source: string): LoraConfig {
  if (dict.peft_type !== 'LORA') {
    throw new Error(
      `${source}: peft_type is ${JSON.stringify(dict.peft_type)}; @lgpt/lora reads LoRA adapters ("LORA") only`,
    );
  }
  const init: Record<string, unknown> = {};
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dict)) {
    // hasOwn: a key like "toString" must not find Object.prototype's.
    if (Object.hasOwn(FIELD_KEYS, key)) {
      checkPeftField(key, value, source);
      init[FIELD_KEYS[key]] = value;
    } else if (!REWRITTEN.has(key)) {
      if (!isInactive(key, value)) {
        throw new Error(
          `${source}: ${key}=${JSON.stringify(value)} uses a PEFT feature that @lgpt/lora does not implement`,
        );
      }
      extras[key] = value;
    }
  }
  try {
    return new LoraConfig({ ...(init as LoraConfigInit), peftExtras: extras });
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`);
  }
}

export function fromPeftJson(text: string, source: string): LoraConfig {
  let dict: unknown;
  try {
    dict = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (!dict || typeof dict !== 'object' || Array.isArray(dict)) {
    throw new Error(`${source}: expected a JSON object`);
  }
  return fromPeftDict(dict as Record<string, unknown>, source);
}

/** Off: PEFT's default for a known key; for a key unknown to PEFT 0.20, an empty value. */
function isInactive(key: string, value: unknown): boolean {
  if (ALWAYS_INERT.has(key)) return true;
  if (value === null || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value as object).length === 0;
}
