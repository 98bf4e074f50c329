import { ACTIVATIONS } from '@lgpt/core';

type JsonType = 'number' | 'string' | 'boolean';

/** One `GPT2Config` field: its `config.json` name, Hugging Face's default, its JSON type. */
function field<T extends number | string | boolean>(json: string, defaultValue: T) {
  const type = typeof defaultValue as JsonType;
  return { json, default: defaultValue as unknown as Widen<T>, type, nullable: false };
}

type Widen<T> = T extends number ? number : T extends string ? string : boolean;

/** A field that may also be `null` in `config.json`. */
function nullable(json: string, defaultValue: number | null) {
  return { json, default: defaultValue, type: 'number' as JsonType, nullable: true };
}

/**
 * Hugging Face's `GPT2Config` fields this model reads, declared once: camelCase name → `config.json`
 * name (snake_case), default (`GPT2Config()` = GPT-2 small) and JSON type. The `GPT2ConfigFields`
 * type, the defaults, `fromJSON`'s type checks and `toJSON` all come from this table.
 */
const FIELDS = {
  vocabSize: field('vocab_size', 50257),
  nPositions: field('n_positions', 1024),
  nEmbd: field('n_embd', 768),
  nLayer: field('n_layer', 12),
  nHead: field('n_head', 12),
  /** Width of the MLP; `null` means 4 × `nEmbd`. */
  nInner: nullable('n_inner', null),
  /** A Hugging Face activation name: `gelu_new` (GPT-2), `gelu`, `relu`, `silu`, … */
  activationFunction: field('activation_function', 'gelu_new'),
  residPdrop: field('resid_pdrop', 0.1),
  embdPdrop: field('embd_pdrop', 0.1),
  attnPdrop: field('attn_pdrop', 0.1),
  layerNormEpsilon: field('layer_norm_epsilon', 1e-5),
  initializerRange: field('initializer_range', 0.02),
  bosTokenId: nullable('bos_token_id', 50256),
  eosTokenId: nullable('eos_token_id', 50256),
  padTokenId: nullable('pad_token_id', null),
  scaleAttnWeights: field('scale_attn_weights', true),
  scaleAttnByInverseLayerIdx: field('scale_attn_by_inverse_layer_idx', false),
  /** Only changes fp16 numerics in PyTorch; read and kept, no effect in float32. */
  reorderAndUpcastAttn: field('reorder_and_upcast_attn', false),
  tieWordEmbeddings: field('tie_word_embeddings', true),
};

type FieldName = keyof typeof FIELDS;

/** The fields of Hugging Face's `GPT2Config`, in camelCase (`config.json` keeps snake_case). */
export type GPT2ConfigFields = { [K in FieldName]: (typeof FIELDS)[K]['default'] };

const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** Hugging Face's `GPT2Config()` defaults (= GPT-2 small). */
export const GPT2_DEFAULTS: Readonly<GPT2ConfigFields> = Object.freeze(
  Object.fromEntries(FIELD_NAMES.map((name) => [name, FIELDS[name].default])) as GPT2ConfigFields,
);

const POSITIVE_INTEGERS = ['vocabSize', 'nPositions', 'nEmbd', 'nLayer', 'nHead'] as const;

/**
 * The most elements one weight may have: tfjs indexes tensors with 32-bit integers (and a larger
 * typed array is "Invalid typed array length"), so a config asking for more is a typo to report,
 * not an allocation to attempt.
 */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
const PROBABILITIES = ['residPdrop', 'embdPdrop', 'attnPdrop'] as const;

/** The typed fields of a `GPT2Config`, declared by the table above rather than one by one. */
export interface GPT2Config extends GPT2ConfigFields {}

/**
 * A GPT-2 configuration that reads and writes Hugging Face's `config.json`. Keys it does not model
 * (`architectures`, `task_specific_params`, `n_ctx`, an adapter's own settings such as
 * Learnable-GPT's `use_kan`, …) are kept in `extra` and written back, as transformers keeps
 * unknown keys; whoever owns them reads them from there.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every field.
export class GPT2Config {
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
    const fields: Partial<Record<FieldName, unknown>> = {};
    const known = new Set<string>();
    for (const name of FIELD_NAMES) {
      const key = FIELDS[name].json;
      known.add(key);
      if (key in json) fields[name] = json[key];
    }
    // Very old configs name the context `n_ctx` only.
    if (!('n_positions' in json) && typeof json.n_ctx === 'number') fields.nPositions = json.n_ctx;
    for (const [field, value] of Object.entries(fields)) {
      checkType(field as FieldName, value, source);
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
    for (const name of FIELD_NAMES) out[FIELDS[name].json] = this[name];
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** A copy with some fields changed and, optionally, some `extra` keys set. */
  with(fields: Partial<GPT2ConfigFields>, extra: Record<string, unknown> = {}): GPT2Config {
    return new GPT2Config({ ...this.fields(), ...fields }, { ...this.extra, ...extra });
  }

  fields(): GPT2ConfigFields {
    return Object.fromEntries(FIELD_NAMES.map((name) => [name, this[name]])) as GPT2ConfigFields;
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
        throw new Error(`${FIELDS[field].json} must be a positive integer, got ${this[field]}`);
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
        throw new Error(`${FIELDS[field].json} must be in [0, 1), got ${this[field]}`);
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
          `${FIELDS[field].json} ${id} is outside the vocabulary [0, ${this.vocabSize})`,
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

/** Fails on a `config.json` value of the wrong JSON type, naming the key. */
function checkType(name: FieldName, value: unknown, source: string): void {
  const { json, type, nullable } = FIELDS[name];
  if (value === null && nullable) return;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (actual !== type) {
    throw new Error(`${source}: ${json} must be a ${type}, got ${JSON.stringify(value)}`);
  }
}
