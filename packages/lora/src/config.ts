/** `bias` in PEFT: which biases train (and are saved) besides the LoRA matrices. */
export type LoraBias = 'none' | 'all' | 'lora_only';

/** `init_lora_weights`: `true` = A kaiming-uniform(a=√5), B zeros; `'gaussian'` = A ~ N(0, 1/r), B zeros; `false` = both random. */
export type InitLoraWeights = boolean | 'gaussian';

/** PEFT's shorthand for "every linear layer except the output layer". */
export const ALL_LINEAR = 'all-linear';

/**
 * PEFT's `LoraConfig` fields (camelCase here, snake_case in `adapter_config.json`) with PEFT 0.20's
 * defaults. Fields of PEFT features this package does not implement are kept in `peftExtras` so a
 * config read from disk is written back unchanged.
 */
export interface LoraConfigInit {
  /** LoRA rank. Default 8. */
  r?: number;
  /** Scaling numerator: scaling = loraAlpha / r (or / √r with `useRslora`). Default 8. */
  loraAlpha?: number;
  /** Dropout on the LoRA path's input only. Default 0. */
  loraDropout?: number;
  /**
   * Module names as PEFT matches them: a list (a module matches an entry it equals or ends with
   * `"." + entry`), a regular expression that must match the whole dotted name, or `'all-linear'`.
   */
  targetModules?: string[] | string | null;
  /** Same forms as `targetModules`; matching modules are never adapted. */
  excludeModules?: string[] | string | null;
  /** True when the targeted weights are stored `[in, out]` (GPT-2's Conv1D). Follows the module's own layout when they differ, as PEFT does. */
  fanInFanOut?: boolean;
  bias?: LoraBias;
  /** Extra modules (name suffixes) trained in full and saved with the adapter, e.g. a new classifier head. */
  modulesToSave?: string[] | null;
  /** Rank-stabilised LoRA: scaling = loraAlpha / √r. */
  useRslora?: boolean;
  initLoraWeights?: InitLoraWeights;
  /** Only adapt these layer indices (of the `ModuleList` named by `layersPattern`, or the first numbered segment). */
  layersToTransform?: number[] | number | null;
  layersPattern?: string[] | string | null;
  /** Per-module rank overrides: regex (matched against the end of the module name) → r. */
  rankPattern?: Record<string, number>;
  /** Per-module alpha overrides: regex → loraAlpha. */
  alphaPattern?: Record<string, number>;
  /** DoRA: weight-decomposed LoRA with a trainable per-output magnitude vector. */
  useDora?: boolean;
  /** A trainable bias on lora_B (PEFT's `lora_bias`). */
  loraBias?: boolean;
  /** PEFT's `task_type`, e.g. `'CAUSAL_LM'` (metadata only). */
  taskType?: string | null;
  baseModelNameOrPath?: string | null;
  revision?: string | null;
  /** Adapter weights frozen (PEFT's `inference_mode`). */
  inferenceMode?: boolean;
  /** `adapter_config.json` entries of PEFT features that are off; written back verbatim. */
  peftExtras?: Record<string, unknown>;
}

const SUPPORTED_INITS: InitLoraWeights[] = [true, false, 'gaussian'];

export class LoraConfig {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  targetModules: string[] | string | null;
  excludeModules: string[] | string | null;
  fanInFanOut: boolean;
  bias: LoraBias;
  modulesToSave: string[] | null;
  useRslora: boolean;
  initLoraWeights: InitLoraWeights;
  layersToTransform: number[] | number | null;
  layersPattern: string[] | string | null;
  rankPattern: Record<string, number>;
  alphaPattern: Record<string, number>;
  useDora: boolean;
  loraBias: boolean;
  taskType: string | null;
  baseModelNameOrPath: string | null;
  revision: string | null;
  inferenceMode: boolean;
  peftExtras: Record<string, unknown>;

  constructor(init: LoraConfigInit = {}) {
    this.r = init.r ?? 8;
    this.loraAlpha = init.loraAlpha ?? 8;
    this.loraDropout = init.loraDropout ?? 0;
    this.targetModules = dedupe(init.targetModules ?? null);
    this.excludeModules = dedupe(init.excludeModules ?? null);
    this.fanInFanOut = init.fanInFanOut ?? false;
    this.bias = init.bias ?? 'none';
    this.modulesToSave = init.modulesToSave ? [...init.modulesToSave] : null;
    this.useRslora = init.useRslora ?? false;
    this.initLoraWeights = init.initLoraWeights ?? true;
    this.layersToTransform = copyList(init.layersToTransform ?? null);
    this.layersPattern = copyList(init.layersPattern ?? null);
    this.rankPattern = { ...(init.rankPattern ?? {}) };
    this.alphaPattern = { ...(init.alphaPattern ?? {}) };
    this.useDora = init.useDora ?? false;
    this.loraBias = init.loraBias ?? false;
    this.taskType = init.taskType ?? null;
    this.baseModelNameOrPath = init.baseModelNameOrPath ?? null;
    this.revision = init.revision ?? null;
    this.inferenceMode = init.inferenceMode ?? false;
    this.peftExtras = { ...(init.peftExtras ?? {}) };
    validate(this);
  }

  /** Scaling of an adapter of rank `r` and alpha `alpha` under this config. */
  scaling(r: number, alpha: number): number {
    return this.useRslora ? alpha / Math.sqrt(r) : alpha / r;
  }

  copy(overrides: LoraConfigInit = {}): LoraConfig {
    return new LoraConfig({ ...this, ...overrides });
  }
}

/** Accepts a `LoraConfig` or its init object (a config from another bundle of this package is an init object too). */
export function toLoraConfig(config: LoraConfig | LoraConfigInit): LoraConfig {
  return new LoraConfig(config);
}

/** The checks PEFT's `LoraConfig.__post_init__` and `update_layer` make, with its messages. */
function validate(c: LoraConfig): void {
  assertRank(c.r, 'r');
  for (const [pattern, r] of Object.entries(c.rankPattern))
    assertRank(r, `rankPattern['${pattern}']`);
  if (!(c.loraDropout >= 0 && c.loraDropout < 1)) {
    throw new RangeError(`LoraConfig: loraDropout must be in [0, 1), got ${c.loraDropout}`);
  }
  if (!['none', 'all', 'lora_only'].includes(c.bias)) {
    throw new Error(`LoraConfig: bias must be 'none', 'all' or 'lora_only', got '${c.bias}'`);
  }
  if (!SUPPORTED_INITS.includes(c.initLoraWeights)) {
    throw new Error(
      `LoraConfig: initLoraWeights=${JSON.stringify(c.initLoraWeights)} is not supported by @lgpt/lora (supported: true, false, 'gaussian')`,
    );
  }
  if (typeof c.targetModules === 'string') {
    if (c.layersToTransform !== null) {
      throw new Error(
        'LoraConfig: `layersToTransform` cannot be used when `targetModules` is a str.',
      );
    }
    if (c.layersPattern !== null) {
      throw new Error('LoraConfig: `layersPattern` cannot be used when `targetModules` is a str.');
    }
  }
  if (c.layersPattern && c.layersPattern.length > 0 && !isUsingLayers(c.layersToTransform)) {
    throw new Error(
      'LoraConfig: when `layersPattern` is specified, `layersToTransform` must also be specified.',
    );
  }
  if (c.loraBias && c.useDora) {
    throw new Error(
      'LoraConfig: loraBias=true is not supported for DoRA, please pass useDora=false.',
    );
  }
}

function assertRank(r: number, name: string): void {
  if (!Number.isInteger(r) || r <= 0) {
    throw new RangeError(
      `LoraConfig: \`${name}\` should be a positive integer value but the value passed is ${r}`,
    );
  }
}

/** PEFT treats an empty `layers_to_transform` list like none. */
export function isUsingLayers(layers: number[] | number | null): layers is number[] | number {
  return layers !== null && (Array.isArray(layers) ? layers.length > 0 : true);
}

/** PEFT stores list-valued module names as a set. */
function dedupe(value: string[] | string | null): string[] | string | null {
  return Array.isArray(value) ? [...new Set(value)] : value;
}

function copyList<T>(value: T[] | T | null): T[] | T | null {
  return Array.isArray(value) ? [...value] : value;
}
