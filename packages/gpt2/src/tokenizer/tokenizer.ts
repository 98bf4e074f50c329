import { type HubOptions, openCheckpoint, refuseOverwrite, splitHubOptions } from '@lgpt/core';
import { type BatchEncodeOptions, type BatchEncoding, padAndTruncate } from './batch-encode.js';
import { BytePairEncoding } from './bpe.js';
import { byteStringToBytes, bytesToVisible, utf8ByteString } from './byte-level.js';
import { assertWellFormed, pretokenize } from './pretokenize.js';
import { sourceFromFiles, sourceFromTokenizerJson, standardVocabulary } from './sources.js';
import { END_OF_TEXT, type Vocabulary, vocabularyFromFiles } from './vocabulary.js';

export interface GPT2TokenizerOptions {
  /** Default `<|endoftext|>`. */
  eosToken?: string;
  /** Default `<|endoftext|>`. */
  bosToken?: string;
  /** Default: the EOS token, as Learnable-GPT sets `pad_token = eos_token` (GPT-2 has none). */
  padToken?: string;
  /** Hugging Face's `model_max_length`: the default `maxLength` of truncation. Default 1024. */
  modelMaxLength?: number;
  /** Prepend a space, so a first word is tokenized like a later one. Default false. */
  addPrefixSpace?: boolean;
}

export interface EncodeOptions {
  /** Match special tokens (`<|endoftext|>`) in the text, as Hugging Face does. Default true. */
  allowSpecial?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

/**
 * GPT-2's byte-level BPE tokenizer, identical to Hugging Face's `GPT2Tokenizer`: text → UTF-8
 * bytes → GPT-2's pre-tokenizer → BPE over merges; special tokens are matched first. Build one with
 * `GPT2Tokenizer.load()` (the standard vocabulary) or `GPT2Tokenizer.fromPretrained(dir)`.
 */
export class GPT2Tokenizer {
  readonly eosTokenId: number;
  readonly bosTokenId: number;
  readonly padTokenId: number;
  readonly modelMaxLength: number;
  readonly addPrefixSpace: boolean;
  private readonly bpe: BytePairEncoding;
  /** Id → bytes for ordinary tokens, id → text for special ones. */
  private readonly idToBytes = new Map<number, Uint8Array>();
  private readonly specialIds = new Set<number>();
  private readonly specialPattern: RegExp | null;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    readonly vocabulary: Vocabulary,
    options: GPT2TokenizerOptions = {},
  ) {
    this.bpe = new BytePairEncoding(vocabulary.tokens, vocabulary.merges);
    for (const [bytes, id] of vocabulary.tokens) this.idToBytes.set(id, byteStringToBytes(bytes));
    const encoder = new TextEncoder();
    for (const [text, id] of vocabulary.specialTokens) {
      this.idToBytes.set(id, encoder.encode(text));
      this.specialIds.add(id);
    }
    const specials = [...vocabulary.specialTokens.keys()].sort((a, b) => b.length - a.length);
    this.specialPattern = specials.length
      ? new RegExp(`(${specials.map(escapeRegExp).join('|')})`)
      : null;
    this.eosTokenId = this.specialId(options.eosToken ?? END_OF_TEXT, 'eosToken');
    this.bosTokenId = this.specialId(options.bosToken ?? END_OF_TEXT, 'bosToken');
    this.padTokenId =
      options.padToken === undefined
        ? this.eosTokenId
        : this.specialId(options.padToken, 'padToken');
    this.modelMaxLength = options.modelMaxLength ?? 1024;
    this.addPrefixSpace = options.addPrefixSpace ?? false;
  }

  /** GPT-2's standard tokenizer (the vocabulary of js-tiktoken's `gpt2` ranks). */
  static async load(options: GPT2TokenizerOptions = {}): Promise<GPT2Tokenizer> {
    return new GPT2Tokenizer(await standardVocabulary(), options);
  }

  /**
   * From a Hugging Face tokenizer (`tokenizer.json`, or `vocab.json` + `merges.txt`) in a folder, at
   * an http(s) base URL or in a Hub repository (resolved as `GPT2LMHeadModel.fromPretrained`
   * does). A checkpoint without tokenizer files gets GPT-2's standard vocabulary, with a warning.
   */
  static async fromPretrained(
    nameOrPath: string,
    options: GPT2TokenizerOptions & HubOptions = {},
  ): Promise<GPT2Tokenizer> {
    const [hubOptions, tokenizerOptions] = splitHubOptions(options);
    const files = await openCheckpoint(nameOrPath, hubOptions);
    const source = await sourceFromFiles(files);
    if (!source) {
      console.warn(
        `${files.location} has no tokenizer files (tokenizer.json, or vocab.json + merges.txt): using GPT-2's standard vocabulary`,
      );
      return GPT2Tokenizer.load(tokenizerOptions);
    }
    return new GPT2Tokenizer(source.vocabulary, { ...source.options, ...tokenizerOptions });
  }

  /** From the contents of `vocab.json` and `merges.txt`; `specialTokens` maps added tokens to ids. */
  static fromVocabAndMerges(
    vocab: Record<string, number>,
    merges: string,
    specialTokens: Record<string, number> = {},
    options: GPT2TokenizerOptions = {},
  ): GPT2Tokenizer {
    const specials = { ...specialTokens };
    if (Object.hasOwn(vocab, END_OF_TEXT)) specials[END_OF_TEXT] ??= vocab[END_OF_TEXT];
    return new GPT2Tokenizer(vocabularyFromFiles(vocab, merges, specials), options);
  }

  /** From a parsed Hugging Face `tokenizer.json`. */
  static fromTokenizerJson(
    json: Record<string, unknown>,
    options: GPT2TokenizerOptions = {},
  ): GPT2Tokenizer {
    const source = sourceFromTokenizerJson(json);
    return new GPT2Tokenizer(source.vocabulary, { ...source.options, ...options });
  }

  /** Number of ids (ordinary and special). */
  get vocabSize(): number {
    return this.idToBytes.size;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    assertWellFormed(text);
    const input = this.addPrefixSpace ? ` ${text}` : text;
    const chunks =
      (options.allowSpecial ?? true) && this.specialPattern
        ? input.split(this.specialPattern)
        : [input];
    const ids: number[] = [];
    // With a capturing group, split puts the matched special tokens at the odd indices.
    chunks.forEach((chunk, i) => {
      if (chunks.length > 1 && i % 2 === 1) {
        ids.push(this.vocabulary.specialTokens.get(chunk) as number);
        return;
      }
      for (const word of pretokenize(chunk)) {
        // One id at a time: spreading a word's ids into push() overflows the call stack when a
        // word without spaces has ~100k tokens.
        for (const id of this.bpe.encodeWord(utf8ByteString(word))) ids.push(id);
      }
    });
    return ids;
  }

  /** Text of the ids' bytes (invalid UTF-8, e.g. half a character, becomes U+FFFD as in Hugging Face). */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (const id of ids) {
      if (options.skipSpecialTokens && this.specialIds.has(id)) continue;
      const bytes = this.idToBytes.get(id);
      if (!bytes)
        throw new Error(`token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      parts.push(bytes);
      length += bytes.length;
    }
    const all = new Uint8Array(length);
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
    return this.decoder.decode(all);
  }

  /** Tokenizes several texts, padding/truncating them to a rectangle when asked. */
  batchEncode(texts: readonly string[], options: BatchEncodeOptions = {}): BatchEncoding {
    const encoded = texts.map((t) => this.encode(t, { allowSpecial: options.allowSpecial }));
    return padAndTruncate(encoded, options, this.padTokenId, this.modelMaxLength);
  }

  batchDecode(rows: readonly (readonly number[])[], options: DecodeOptions = {}): string[] {
    return rows.map((r) => this.decode(r, options));
  }

  /** Hugging Face's `vocab.json` (token → id, byte-level alphabet; special tokens as text). */
  vocabJson(): Record<string, number> {
    const out: [string, number][] = [];
    for (const [bytes, id] of this.vocabulary.tokens) out.push([bytesToVisible(bytes), id]);
    for (const [text, id] of this.vocabulary.specialTokens) out.push([text, id]);
    return Object.fromEntries(out.sort((a, b) => a[1] - b[1]));
  }

  /** Hugging Face's `merges.txt`. */
  mergesTxt(): string {
    const lines = this.vocabulary.merges.map(
      ([a, b]) => `${bytesToVisible(a)} ${bytesToVisible(b)}`,
    );
    return `#version: 0.2\n${lines.join('\n')}\n`;
  }

  /**
   * Writes a Hugging Face tokenizer folder: `vocab.json`, `merges.txt`, `special_tokens_map.json`,
   * `tokenizer_config.json` (existing files are an error unless `overwrite`).
   */
  async savePretrained(dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const textOf = (id: number) => this.decode([id]);
    const special = {
      bos_token: textOf(this.bosTokenId),
      eos_token: textOf(this.eosTokenId),
      pad_token: textOf(this.padTokenId),
      unk_token: textOf(this.eosTokenId),
    };
    const files: [string, string][] = [
      ['vocab.json', JSON.stringify(this.vocabJson())],
      ['merges.txt', this.mergesTxt()],
      ['special_tokens_map.json', JSON.stringify(special, null, 2)],
      [
        'tokenizer_config.json',
        JSON.stringify(
          {
            tokenizer_class: 'GPT2Tokenizer',
            model_max_length: this.modelMaxLength,
            add_prefix_space: this.addPrefixSpace,
            ...special,
          },
          null,
          2,
        ),
      ],
    ];
    await refuseOverwrite(
      files.map(([name]) => join(dir, name)),
      options.overwrite,
    );
    await mkdir(dir, { recursive: true });
    for (const [name, text] of files) await writeFile(join(dir, name), text);
  }

  private specialId(text: string, option: string): number {
    const id = this.vocabulary.specialTokens.get(text);
    if (id === undefined) {
      throw new Error(
        `${option} ${JSON.stringify(text)} is not a special token of this vocabulary`,
      );
    }
    return id;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
