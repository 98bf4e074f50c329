import { ACTIVATIONS } from './activations.js';

/**
 * The fields of Hugging Face's `GPT2Config` this model reads, in camelCase. `config.json` keeps its
 * snake_case names (`n_embd`, `layer_norm_epsilon`, …); `GPT2Config.fromJSON` / `toJSON` convert.
 */
export interface GPT2ConfigFields {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  /** Width of the MLP; `null` means 4 × `nEmbd`. */
  nInner: number | null;
  /** A Hugging Face activation name: `gelu_new` (GPT-2), `gelu`, `relu`, `silu`, … */
  activationFunction: string;
  residPdrop: number;
  embdPdrop: number;
  attnPdrop: number;
  layerNormEpsilon: number;
  initializerRange: number;
  bosTokenId: number | null;
  eosTokenId: number | null;
  padTokenId: number | null;
  scaleAttnWeights: boolean;
  scaleAttnByInverseLayerIdx: boolean;
  /** Only changes fp16 numerics in PyTorch; read and kept, no effect in float32. */
  reorderAndUpcastAttn: boolean;
  tieWordEmbeddings: boolean;
  // The adapter switches of Learnable-GPT, filled in by the adapter packages.
  useKan: boolean;
  useLora: boolean;
  useGraph: boolean;
  /** A PEFT-style LoRA config (`r`, `lora_alpha`, `target_modules`, …), kept as written. */
  loraConfig: Record<string, unknown> | null;
  /** Options of the KAN MLP (`hidden_size`, and efficient-kan's `grid_size`, `spline_order`, …). */
  kanConfig: Record<string, unknown> | null;
  hiddenDropoutProb: number;
  hiddenHybridDropoutProb: number;
}

/** Each field's name in `config.json`. */
const JSON_NAMES: Record<keyof GPT2ConfigFields, string> = {
  vocabSize: 'vocab_size',
  nPositions: 'n_positions',
  nEmbd: 'n_embd',
  nLayer: 'n_layer',
  nHead: 'n_head',
  nInner: 'n_inner',
  activationFunction: 'activation_function',
  residPdrop: 'resid_pdrop',
  embdPdrop: 'embd_pdrop',
  attnPdrop: 'attn_pdrop',
  layerNormEpsilon: 'layer_norm_epsilon',
  initializerRange: 'initializer_range',
  bosTokenId: 'bos_token_id',
  eosTokenId: 'eos_token_id',
  padTokenId: 'pad_token_id',
  scaleAttnWeights: 'scale_attn_weights',
  scaleAttnByInverseLayerIdx: 'scale_attn_by_inverse_layer_idx',
  reorderAndUpcastAttn: 'reorder_and_upcast_attn',
  tieWordEmbeddings: 'tie_word_embeddings',
  useKan: 'use_kan',
  useLora: 'use_lora',
  useGraph: 'use_graph',
  loraConfig: 'lora_config',
  kanConfig: 'kan_config',
  hiddenDropoutProb: 'hidden_dropout_prob',
  hiddenHybridDropoutProb: 'hidden_hybrid_dropout_prob',
};

/** Hugging Face's `GPT2Config()` defaults (= GPT-2 small), plus the adapter switches off. */
export const GPT2_DEFAULTS: Readonly<GPT2ConfigFields> = Object.freeze({
  vocabSize: 50257,
  nPositions: 1024,
  nEmbd: 768,
  nLayer: 12,
  nHead: 12,
  nInner: null,
  activationFunction: 'gelu_new',
  residPdrop: 0.1,
  embdPdrop: 0.1,
  attnPdrop: 0.1,
  layerNormEpsilon: 1e-5,
  initializerRange: 0.02,
  bosTokenId: 50256,
  eosTokenId: 50256,
  padTokenId: null,
  scaleAttnWeights: true,
  scaleAttnByInverseLayerIdx: false,
  reorderAndUpcastAttn: false,
  tieWordEmbeddings: true,
  useKan: false,
  useLora: false,
  useGraph: false,
  loraConfig: null,
  kanConfig: null,
  hiddenDropoutProb: 0.1,
  hiddenHybridDropoutProb: 0.1,
});

const POSITIVE_INTEGERS = ['vocabSize', 'nPositions', 'nEmbd', 'nLayer', 'nHead'] as const;

/**
 * The most elements one weight may have: tfjs indexes tensors with 32-bit integers (and a larger
 * typed array is "Invalid typed array length"), so a config asking for more is a typo to report,
 * not an allocation to attempt.
 */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
const PROBABILITIES = [
  'residPdrop',
  'embdPdrop',
  'attnPdrop',
  'hiddenDropoutProb',
  'hiddenHybridDropoutProb',
] as const;

/**
 * A GPT-2 configuration that reads and writes Hugging Face's `config.json`. Keys it does not model
 * (`architectures`, `task_specific_params`, `n_ctx`, …) are kept in `extra` and written back, as
 * Hugging Face keeps unknown keys.
 */
export class GPT2Config implements GPT2ConfigFields {
  vocabSize!: number;
  nPositions!: number;
  nEmbd!: number;
  nLayer!: number;
  nHead!: number;
  nInner!: number | null;
  activationFunction!: string;
  residPdrop!: number;
  embdPdrop!: number;
  attnPdrop!: number;
  layerNormEpsilon!: number;
  initializerRange!: number;
  bosTokenId!: number | null;
  eosTokenId!: number | null;
  padTokenId!: number | null;
  scaleAttnWeights!: boolean;
  scaleAttnByInverseLayerIdx!: boolean;
  reorderAndUpcastAttn!: boolean;
  tieWordEmbeddings!: boolean;
  useKan!: boolean;
  useLora!: boolean;
  useGraph!: boolean;
  loraConfig!: Record<string, unknown> | null;
  kanConfig!: Record<string, unknown> | null;
  hiddenDropoutProb!: number;
  hiddenHybridDropoutProb!: number;
  /** `config.json` keys this class does not model, written back unchanged. */
  extra: Record<string, unknown>;

  constructor(fields: Partial<GPT2ConfigFields> = {}, extra: Record<string, unknown> = {}) {
    Object.assign(this, GPT2_DEFAULTS, definedOnly(fields));
    this.extra = { ...extra };
    this.validate();
  }

  /** Parses a `config.json` object; `source` names it in errors. */
  static fromJSON(json: Record<string, unknown>, source = 'config.json'): GPT2Config {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new Error(`${source}: expected a JSON object`);
    }
    if (json.add_cross_attention === true) {
      throw new Error(`${source}: add_cross_attention is not supported (decoder-only GPT-2)`);
    }
    const fields: Partial<Record<keyof GPT2ConfigFields, unknown>> = {};
    const known = new Set<string>();
    for (const [field, key] of Object.entries(JSON_NAMES) as [keyof GPT2ConfigFields, string][]) {
      known.add(key);
      if (key in json) fields[field] = json[key];
    }
    // Very old configs name the context `n_ctx` only.
    if (!('n_positions' in json) && typeof json.n_ctx === 'number') fields.nPositions = json.n_ctx;
    for (const [field, value] of Object.entries(fields)) {
      checkType(field as keyof GPT2ConfigFields, value, source);
    }
    const extra = Object.fromEntries(Object.entries(json).filter(([key]) => !known.has(key)));
    try {
      return new GPT2Config(fields as Partial<GPT2ConfigFields>, extra);
    } catch (error) {
      const Type = error instanceof RangeError ? RangeError : Error;
      throw new Type(`${source}: ${(error as Error).message}`);
    }
  }

  /** The `config.json` object (snake_case), with `model_type` and the unknown keys kept. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { model_type: 'gpt2', ...this.extra };
    for (const [field, key] of Object.entries(JSON_NAMES) as [keyof GPT2ConfigFields, string][]) {
      out[key] = this[field];
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** A copy with some fields changed. */
  with(fields: Partial<GPT2ConfigFields>): GPT2Config {
    return new GPT2Config({ ...this.fields(), ...fields }, this.extra);
  }

  fields(): GPT2ConfigFields {
    const out = {} as Record<keyof GPT2ConfigFields, unknown>;
    for (const field of Object.keys(JSON_NAMES) as (keyof GPT2ConfigFields)[]) {
      out[field] = this[field];
    }
    return out as unknown as GPT2ConfigFields;
  }

  /** The MLP width (`n_inner`, or 4 × `n_embd`). */
  get innerDim(): number {
    return this.nInner ?? 4 * this.nEmbd;
  }

  get headDim(): number {
    return this.nEmbd / this.nHead;
  }

  private validate(): void {
    for (const field of POSITIVE_INTEGERS) {
      if (!Number.isInteger(this[field]) || this[field] <= 0) {
        throw new Error(`${JSON_NAMES[field]} must be a positive integer, got ${this[field]}`);
      }
    }
    for (const [name, elements] of [
      ['vocab_size × n_embd (wte)', this.vocabSize * this.nEmbd],
      ['n_positions × n_embd (wpe)', this.nPositions * this.nEmbd],
      ['n_positions² (the causal mask)', this.nPositions * this.nPositions],
    ] as const) {
      if (elements > MAX_TENSOR_ELEMENTS) {
        throw new RangeError(
          `${name} is ${elements.toExponential(3)} elements, more than one tensor can hold (2^31 − 1): check vocab_size ${this.vocabSize}, n_positions ${this.nPositions}, n_embd ${this.nEmbd}`,
        );
      }
    }
    if (this.nEmbd % this.nHead !== 0) {
      throw new Error(`n_embd (${this.nEmbd}) must be divisible by n_head (${this.nHead})`);
    }
    if (this.nInner !== null && (!Number.isInteger(this.nInner) || this.nInner <= 0)) {
      throw new Error(`n_inner must be null or a positive integer, got ${this.nInner}`);
    }
    for (const field of PROBABILITIES) {
      if (!(this[field] >= 0 && this[field] < 1)) {
        throw new Error(`${JSON_NAMES[field]} must be in [0, 1), got ${this[field]}`);
      }
    }
    if (!(this.layerNormEpsilon > 0)) {
      throw new Error(`layer_norm_epsilon must be positive, got ${this.layerNormEpsilon}`);
    }
    if (!Object.hasOwn(ACTIVATIONS, this.activationFunction)) {
      throw new Error(
        `activation_function '${this.activationFunction}' is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`,
      );
    }
    for (const field of ['bosTokenId', 'eosTokenId', 'padTokenId'] as const) {
      const id = this[field];
      if (id !== null && (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)) {
        throw new Error(
          `${JSON_NAMES[field]} ${id} is outside the vocabulary [0, ${this.vocabSize})`,
        );
      }
    }
  }
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

const NULLABLE = new Set<keyof GPT2ConfigFields>([
  'nInner',
  'bosTokenId',
  'eosTokenId',
  'padTokenId',
  'loraConfig',
  'kanConfig',
]);

/** The JSON type of each field's value (besides `null` for the nullable ones). */
function jsonType(field: keyof GPT2ConfigFields): string {
  if (field === 'nInner' || field.endsWith('TokenId')) return 'number';
  if (field === 'loraConfig' || field === 'kanConfig') return 'object';
  return typeof GPT2_DEFAULTS[field];
}

/** Fails on a `config.json` value of the wrong JSON type, naming the key. */
function checkType(field: keyof GPT2ConfigFields, value: unknown, source: string): void {
  if (value === null && NULLABLE.has(field)) return;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (actual !== jsonType(field)) {
    throw new Error(
      `${source}: ${JSON_NAMES[field]} must be a ${jsonType(field)}, got ${JSON.stringify(value)}`,
    );
  }
}
