import type { GPT2Config } from '../config.js';
import type { IntMatrix } from '../inputs.js';

/** One decoding step, as streamed to `onToken` and yielded by `generateStream`. */
export interface GenerationStep {
  /** 0 for the first new token. */
  step: number;
  /** The new token of each row (`padTokenId` for rows that had already finished). */
  tokens: number[];
  /** Rows that have produced an end-of-sequence token (including at this step). */
  finished: boolean[];
  /** Each row's raw next-token logits (before any penalty, temperature or filtering). */
  logits: Float32Array[];
}

/** Hugging Face `generate` options, camelCased; defaults as in Hugging Face's `GenerationConfig`. */
export interface GenerateOptions {
  /** 1 for real tokens, 0 for padding; batches must be left-padded. Default: all ones. */
  attentionMask?: IntMatrix;
  /** How many tokens to add. Default 20. */
  maxNewTokens?: number;
  /** Sample from the distribution instead of taking the argmax. Default false. */
  doSample?: boolean;
  /** Divides the logits before sampling (> 0). Default 1. Sampling only. */
  temperature?: number;
  /** Keep the k most likely tokens (ties with the k-th kept). Default 50, as in Hugging Face; 0 disables. Sampling only. */
  topK?: number;
  /** Nucleus sampling: keep the most likely tokens whose probabilities add up to `topP`. Default 1 (off). Sampling only. */
  topP?: number;
  /** > 1 discourages tokens already in the sequence (prompt included), as in CTRL. Default 1. */
  repetitionPenalty?: number;
  /** Forbid repeating any n-gram of this size (prompt included). Default 0 (off). */
  noRepeatNgramSize?: number;
  /** Token(s) that end a row. Default: the config's `eos_token_id`; `null`: never stop early. */
  eosTokenId?: number | number[] | null;
  /** What finished rows get. Default: the config's `pad_token_id`, else `eos_token_id`. */
  padTokenId?: number;
  /** Seeds the sampling generator, for reproducible samples. Default: the default generator. */
  seed?: number;
  /**
   * Decode incrementally with a KV cache (true) or re-run the whole sequence each step. Default
   * true, unless a block has a sub-layer that needs the whole sequence (`needsFullSequence`).
   */
  useCache?: boolean;
  /** Called after every step (awaited), e.g. to stream text. */
  onToken?: (step: GenerationStep) => unknown;
}

export interface ResolvedGenerateOptions {
  maxNewTokens: number;
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  noRepeatNgramSize: number;
  eosTokenIds: Set<number>;
  padTokenId: number | null;
  seed: number | undefined;
  useCache: boolean;
}

/** Applies the defaults and rejects values Hugging Face would reject, naming the option. */
export function resolveGenerateOptions(
  options: GenerateOptions,
  config: GPT2Config,
  supportsKvCache = true,
): ResolvedGenerateOptions {
  const maxNewTokens = options.maxNewTokens ?? 20;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new Error(`maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  }
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0)) {
    throw new Error(
      `temperature must be > 0, got ${temperature} (for greedy decoding leave doSample false)`,
    );
  }
  const topK = options.topK ?? 50;
  if (!Number.isInteger(topK) || topK < 0) {
    throw new Error(`topK must be a non-negative integer (0 = off), got ${topK}`);
  }
  const topP = options.topP ?? 1;
  if (!(topP >= 0 && topP <= 1)) throw new Error(`topP must be in [0, 1], got ${topP}`);
  const repetitionPenalty = options.repetitionPenalty ?? 1;
  if (!(repetitionPenalty > 0)) {
    throw new Error(`repetitionPenalty must be > 0, got ${repetitionPenalty}`);
  }
  const noRepeatNgramSize = options.noRepeatNgramSize ?? 0;
  if (!Number.isInteger(noRepeatNgramSize) || noRepeatNgramSize < 0) {
    throw new Error(`noRepeatNgramSize must be a non-negative integer, got ${noRepeatNgramSize}`);
  }
  const eos = options.eosTokenId === undefined ? config.eosTokenId : options.eosTokenId;
  const eosTokenIds = new Set(eos === null ? [] : Array.isArray(eos) ? eos : [eos]);
  const padTokenId = options.padTokenId ?? config.padTokenId ?? [...eosTokenIds][0] ?? null;
  for (const [name, id] of [
    ...[...eosTokenIds].map((id) => ['eosTokenId', id] as const),
    ['padTokenId', padTokenId] as const,
  ]) {
    if (id !== null && (!Number.isInteger(id) || id < 0 || id >= config.vocabSize)) {
      throw new Error(`${name} ${id} is outside the vocabulary [0, ${config.vocabSize})`);
    }
  }
  return {
    maxNewTokens,
    doSample: options.doSample ?? false,
    temperature,
    topK,
    topP,
    repetitionPenalty,
    noRepeatNgramSize,
    eosTokenIds,
    padTokenId,
    seed: options.seed,
    // A sub-layer that reads the whole sequence (graph attention) cannot run on a cached step.
    useCache: options.useCache ?? supportsKvCache,
  };
}
