import type { GPT2Config } from '@lgpt/gpt2';

/**
 * The original Learnable-GPT code ("the seed": marcreniel/learnable-gpt da584cf) as lgpt's
 * `learnable-gpt` recipe builds it. File:line references are to that commit.
 */

/** The seed's three scripts: `classifier.py`, `paraphrase_detection.py`, `sonnet_generation.py`. */
export const SEED_TASKS = ['sentiment', 'paraphrase', 'sonnet'] as const;
export type SeedTask = (typeof SEED_TASKS)[number];

/** The seed's model switches: none, `--use_lora`, `--use_kan`, both, `--use_graph`. */
export const SEED_VARIANTS = ['base', 'lora', 'kan', 'lorakan', 'graph'] as const;
export type SeedVariant = (typeof SEED_VARIANTS)[number];

/** lgpt's own spelling of a variant name that the seed spells differently. */
const VARIANT_ALIASES: Record<string, SeedVariant> = { 'kan-lora': 'lorakan' };

/** A seed variant by name; lgpt's spelling `kan-lora` is accepted for `lorakan`. */
export function seedVariant(name: string): SeedVariant {
  const resolved = VARIANT_ALIASES[name] ?? name;
  if (!(SEED_VARIANTS as readonly string[]).includes(resolved)) {
    throw new Error(
      `unknown learnable-gpt variant '${name}' (known: ${SEED_VARIANTS.join(', ')}, or kan-lora)`,
    );
  }
  return resolved as SeedVariant;
}

export function seedTask(name: string): SeedTask {
  if (!(SEED_TASKS as readonly string[]).includes(name)) {
    throw new Error(`unknown learnable-gpt task '${name}' (known: ${SEED_TASKS.join(', ')})`);
  }
  return name as SeedTask;
}

/**
 * The body constants of the seed's `config.py` and `models/gpt2.py`: they are not read from the
 * scripts' arguments nor from a checkpoint's config, so a Hugging Face config cannot change them.
 */
export const SEED_BODY = {
  /** `config.py:203`. */
  layerNormEps: 1e-5,
  /** `config.py:204`: `nn.Embedding(…, padding_idx=pad_token_id)` for the word embedding. */
  paddingIdx: 0,
  /** `models/gpt2.py:128`: `LoraConfig(r=16)`. */
  loraR: 16,
  /**
   * `models/gpt2.py:129` sets `alpha = 32`, but `modules/lora_layer.py:39` reads `lora_alpha`
   * first, which PEFT's `LoraConfig` has (default 8): the scaling is 8 / 16.
   */
  loraAlpha: 8,
  /** `modules/gpt2_layer.py:29-30`: the KAN-only MLP's hidden width is `int(1.5 · C)`. */
  kanWidthFactor: 1.5,
} as const;

/** Every dropout probability of the seed's model and heads. */
export interface SeedDropouts {
  /** `hidden_dropout_prob` (`config.py:197`): embeddings, residual branches, graph fusion. */
  hidden: number;
  /** `attention_probs_dropout_prob` (`config.py:199`): attention probabilities, GAT coefficients. */
  attention: number;
  /** LoRA's input dropout (`models/gpt2.py:130`; the LoRA-KAN layers have none). */
  lora: number;
  /** The sentiment head's dropout (`classifier.py:386`, `--hidden_dropout_prob`). */
  head: number;
}

/** The seed's dropouts as its scripts run them. */
export const SEED_DROPOUTS: SeedDropouts = { hidden: 0.1, attention: 0.1, lora: 0.1, head: 0.3 };

/** `'original'`: the seed's dropouts; a number: that probability for every dropout. */
export type SeedDropoutOption = 'original' | number;

export function seedDropouts(option: SeedDropoutOption = 'original'): SeedDropouts {
  if (option === 'original') return { ...SEED_DROPOUTS };
  if (!(option >= 0 && option < 1)) {
    throw new RangeError(`dropout must be 'original' or a number in [0, 1), got ${option}`);
  }
  return { hidden: option, attention: option, lora: option, head: option };
}

/** What the seed's model classes are built from. */
export interface SeedModelConfig {
  vocabSize: number;
  maxPositions: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  variant: SeedVariant;
  dropouts: SeedDropouts;
}

/**
 * The seed model's sizes from a Hugging Face GPT-2 config: only the vocabulary size, positions,
 * width, layers and heads are read (the seed builds its own `GPT2Config` from those; GELU is erf,
 * LayerNorm eps 1e-5 and padding index 0 whatever the checkpoint's config says).
 */
export function seedModelConfig(
  config: Pick<GPT2Config, 'vocabSize' | 'nPositions' | 'nEmbd' | 'nLayer' | 'nHead'>,
  variant: SeedVariant,
  dropouts: SeedDropouts,
): SeedModelConfig {
  if (config.nEmbd % config.nHead !== 0) {
    throw new Error(`config: n_embd ${config.nEmbd} is not divisible by n_head ${config.nHead}`);
  }
  return {
    vocabSize: config.vocabSize,
    maxPositions: config.nPositions,
    hiddenSize: config.nEmbd,
    numLayers: config.nLayer,
    numHeads: config.nHead,
    variant,
    dropouts,
  };
}
