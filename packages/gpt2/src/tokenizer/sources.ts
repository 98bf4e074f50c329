import { type CheckpointFiles, parseJsonFile } from '@lgpt/core';
import type { GPT2TokenizerOptions } from './tokenizer.js';
import {
  END_OF_TEXT,
  type Vocabulary,
  vocabularyFromFiles,
  vocabularyFromTiktoken,
} from './vocabulary.js';

export interface TokenizerSource {
  vocabulary: Vocabulary;
  options: GPT2TokenizerOptions;
}

let standard: Promise<Vocabulary> | undefined;

/** GPT-2's standard vocabulary, from js-tiktoken's `gpt2` ranks (loaded on first use, then shared). */
export function standardVocabulary(): Promise<Vocabulary> {
  standard ??= import('js-tiktoken/ranks/gpt2').then((m) => vocabularyFromTiktoken(m.default));
  return standard;
}

type Json = Record<string, unknown>;

/**
 * A Hugging Face `tokenizer.json` (the fast tokenizer's file) holding a byte-level BPE: its vocab,
 * merges and added tokens.
 */
export function sourceFromTokenizerJson(json: Json, source = 'tokenizer.json'): TokenizerSource {
  const model = json.model as Json | undefined;
  if (model?.type !== 'BPE') {
    throw new Error(`${source}: model.type is ${JSON.stringify(model?.type)}, expected "BPE"`);
  }
  const byteLevel = findByteLevel(json.pre_tokenizer as Json | undefined);
  if (!byteLevel)
    throw new Error(`${source}: pre_tokenizer is not ByteLevel; not a GPT-2-style tokenizer`);
  const added = (json.added_tokens ?? []) as { id: number; content: string }[];
  const specials = Object.fromEntries(added.map((t) => [t.content, t.id]));
  const vocabulary = vocabularyFromFiles(
    model.vocab as Record<string, number>,
    model.merges as string[] | [string, string][],
    specials,
    source,
  );
  return { vocabulary, options: { addPrefixSpace: byteLevel.add_prefix_space === true } };
}

function findByteLevel(pre: Json | undefined): Json | undefined {
  if (!pre) return undefined;
  if (pre.type === 'ByteLevel') return pre;
  if (pre.type === 'Sequence') {
    return (pre.pretokenizers as Json[]).map(findByteLevel).find(Boolean);
  }
  return undefined;
}

/**
 * A Hugging Face tokenizer's files in a checkpoint (folder, URL or Hub repository): `tokenizer.json`,
 * or `vocab.json` + `merges.txt` (with `added_tokens.json`); special tokens and `model_max_length`
 * from `special_tokens_map.json` and `tokenizer_config.json` when present. Null when the
 * checkpoint has neither `tokenizer.json` nor `vocab.json` + `merges.txt`.
 */
export async function sourceFromFiles(files: CheckpointFiles): Promise<TokenizerSource | null> {
  const readJson = async (name: string): Promise<Json | undefined> => {
    const text = await files.optionalText(name);
    return text === undefined ? undefined : parseJsonFile(text, files.describe(name));
  };
  const config = (await readJson('tokenizer_config.json')) ?? {};
  const map = (await readJson('special_tokens_map.json')) ?? {};
  const named = (key: string) => tokenText(map[key]) ?? tokenText(config[key]);
  const options: GPT2TokenizerOptions = {
    eosToken: named('eos_token'),
    bosToken: named('bos_token'),
    padToken: named('pad_token'),
    modelMaxLength:
      typeof config.model_max_length === 'number' ? config.model_max_length : undefined,
  };
  const fast = await readJson('tokenizer.json');
  if (fast) {
    const parsed = sourceFromTokenizerJson(fast, files.describe('tokenizer.json'));
    return {
      vocabulary: parsed.vocabulary,
      options: { ...parsed.options, ...definedOnly(options) },
    };
  }
  const vocab = (await readJson('vocab.json')) as Record<string, number> | undefined;
  const merges = vocab && (await files.optionalText('merges.txt'));
  if (!vocab || merges === undefined) return null;
  const specials: Record<string, number> = {
    ...((await readJson('added_tokens.json')) as Record<string, number>),
  };
  const decoderEntries = Object.entries(
    (config.added_tokens_decoder ?? {}) as Record<string, Json>,
  );
  for (const [id, token] of decoderEntries) specials[String(token.content)] = Number(id);
  for (const text of [
    options.eosToken,
    options.bosToken,
    options.padToken,
    named('unk_token'),
    END_OF_TEXT,
  ]) {
    if (text !== undefined && Object.hasOwn(vocab, text)) specials[text] = vocab[text];
  }
  return {
    vocabulary: vocabularyFromFiles(vocab, merges, specials, files.describe('vocab.json')),
    options: { ...options, addPrefixSpace: config.add_prefix_space === true },
  };
}

/** A special token in these files is a string or `{ content: string, … }`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') {
    return (value as Json).content as string;
  }
  return undefined;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
