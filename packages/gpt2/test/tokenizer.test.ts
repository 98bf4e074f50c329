import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@lgpt/core';
import { fixturePath } from '@lgpt/core/testing';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { END_OF_TEXT, GPT2Tokenizer } from '../src/index.js';
import { sonnets, sstSentences } from './support/corpora.js';

interface Reference {
  checksums: { merges_txt_sha256: string; vocab_id_tab_token_lines_sha256: string };
  cases: { text: string; ids: number[] }[];
}
const reference: Reference = JSON.parse(
  readFileSync(fixturePath('tokenizer', 'reference.json'), 'utf8'),
);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('GPT2Tokenizer (standard GPT-2 vocabulary)', () => {
  let tokenizer: GPT2Tokenizer;
  beforeAll(async () => {
    tokenizer = await GPT2Tokenizer.load();
  });

  it('maps "yes" to 8505 and "no" to 3919', () => {
    expect(tokenizer.encode('yes')).toEqual([8505]);
    expect(tokenizer.encode('no')).toEqual([3919]);
  });

  it("has OpenAI's merges and vocabulary exactly", () => {
    expect(sha256(tokenizer.mergesTxt())).toBe(reference.checksums.merges_txt_sha256);
    const lines = Object.entries(tokenizer.vocabJson())
      .sort((a, b) => a[1] - b[1])
      .map(([token, id]) => `${id}\t${token}`)
      .join('\n');
    expect(sha256(lines)).toBe(reference.checksums.vocab_id_tab_token_lines_sha256);
    expect(tokenizer.vocabSize).toBe(50257);
  });

  it("matches the reference encoder on tricky Unicode (Python regex's whitespace)", () => {
    for (const { text, ids } of reference.cases) {
      expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(ids);
    }
  });

  it("equals js-tiktoken's gpt2 encoding on every SST sentence and sonnet", () => {
    const tiktoken = new Tiktoken(gpt2Ranks);
    const texts = [...sstSentences(), ...sonnets()];
    expect(texts.length).toBeGreaterThan(10_000);
    const mismatches = texts.filter((t) => {
      const a = tokenizer.encode(t);
      const b = tiktoken.encode(t);
      return a.length !== b.length || a.some((id, i) => id !== b[i]);
    });
    expect(mismatches).toEqual([]);
  });

  it('round-trips arbitrary Unicode text', () => {
    const rng = new Rng(7);
    const samples = reference.cases.map((c) => c.text);
    for (let n = 0; n < 200; n++) {
      let s = '';
      for (let i = 0; i < 30; i++) {
        // Any scalar value: BMP or astral, never a surrogate.
        let cp = rng.int(0x110000);
        if (cp >= 0xd800 && cp <= 0xdfff) cp -= 0x800;
        s += String.fromCodePoint(cp);
      }
      samples.push(s);
    }
    for (const s of samples) expect(tokenizer.decode(tokenizer.encode(s))).toBe(s);
  });

  it('rejects lone surrogates, naming where', () => {
    expect(() => tokenizer.encode('ok \ud83d then')).toThrow(
      /lone UTF-16 surrogate U\+D83D at index 3/,
    );
  });

  it('treats <|endoftext|> as the special token 50256, as Hugging Face does', () => {
    const ids = tokenizer.encode(`Hello${END_OF_TEXT} world`);
    expect(ids).toEqual([...tokenizer.encode('Hello'), 50256, ...tokenizer.encode(' world')]);
    expect(tokenizer.eosTokenId).toBe(50256);
    expect(tokenizer.padTokenId).toBe(50256);
    expect(tokenizer.decode(ids)).toBe(`Hello${END_OF_TEXT} world`);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('Hello world');
    const asText = tokenizer.encode(END_OF_TEXT, { allowSpecial: false });
    expect(asText).not.toContain(50256);
    expect(tokenizer.decode(asText)).toBe(END_OF_TEXT);
  });

  it('decodes half a character to U+FFFD and rejects unknown ids', () => {
    const [first] = tokenizer.encode('😀');
    expect(tokenizer.decode([first])).toContain('\ufffd');
    expect(() => tokenizer.decode([50257])).toThrow(/token id 50257 is not in the vocabulary/);
  });

  describe('batchEncode', () => {
    const texts = ['a b c d', 'hello', 'x'];

    it('pads right by default with the EOS token and masks the padding', () => {
      const ids = texts.map((t) => tokenizer.encode(t));
      const width = Math.max(...ids.map((r) => r.length));
      const out = tokenizer.batchEncode(texts, { padding: true });
      ids.forEach((row, r) => {
        const pad = width - row.length;
        expect(out.inputIds[r]).toEqual([...row, ...new Array(pad).fill(tokenizer.padTokenId)]);
        expect(out.attentionMask[r]).toEqual([...row.map(() => 1), ...new Array(pad).fill(0)]);
      });
    });

    it('pads left, to max_length, and leaves rows ragged without padding', () => {
      const left = tokenizer.batchEncode(texts, { padding: 'longest', paddingSide: 'left' });
      expect(left.attentionMask[2].at(-1)).toBe(1);
      expect(left.attentionMask[2][0]).toBe(0);
      const fixed = tokenizer.batchEncode(texts, { padding: 'max_length', maxLength: 9 });
      expect(fixed.inputIds.every((r) => r.length === 9)).toBe(true);
      const ragged = tokenizer.batchEncode(texts);
      expect(ragged.inputIds.map((r) => r.length)).toEqual(
        texts.map((t) => tokenizer.encode(t).length),
      );
    });

    it('truncates only when asked, from the chosen side', () => {
      const ids = tokenizer.encode(texts[0]);
      expect(() => tokenizer.batchEncode(texts, { maxLength: 2 })).toThrow(
        /text 0 has \d+ tokens, more than maxLength 2; pass truncation: true/,
      );
      const right = tokenizer.batchEncode(texts, { maxLength: 2, truncation: true });
      expect(right.inputIds[0]).toEqual(ids.slice(0, 2));
      const left = tokenizer.batchEncode(texts, {
        maxLength: 2,
        truncation: true,
        truncationSide: 'left',
      });
      expect(left.inputIds[0]).toEqual(ids.slice(-2));
    });
  });
});

describe('GPT2Tokenizer from checkpoint files', () => {
  let standard: GPT2Tokenizer;
  let dir: string;
  beforeAll(async () => {
    standard = await GPT2Tokenizer.load();
    dir = mkdtempSync(join(tmpdir(), 'gpt2-tokenizer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sample = () =>
    sstSentences()
      .slice(0, 300)
      .concat(reference.cases.map((c) => c.text));

  it('loads vocab.json + merges.txt written by savePretrained, encoding identically', async () => {
    await standard.savePretrained(dir);
    await expect(standard.savePretrained(dir)).rejects.toThrow(/already exists/);
    const loaded = await GPT2Tokenizer.fromPretrained(dir);
    expect(loaded.eosTokenId).toBe(standard.eosTokenId);
    for (const text of sample()) expect(loaded.encode(text)).toEqual(standard.encode(text));
  });

  it('loads a tokenizer.json (merges as strings or pairs)', () => {
    const merges = standard.mergesTxt().split('\n').slice(1).filter(Boolean);
    for (const form of [merges, merges.map((m) => m.split(' '))]) {
      const vocab = standard.vocabJson();
      delete vocab[END_OF_TEXT];
      const json = {
        added_tokens: [{ id: 50256, content: END_OF_TEXT, special: true }],
        pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false },
        model: { type: 'BPE', vocab, merges: form },
      };
      const loaded = GPT2Tokenizer.fromTokenizerJson(json);
      for (const text of sample()) expect(loaded.encode(text)).toEqual(standard.encode(text));
      expect(loaded.encode(END_OF_TEXT)).toEqual([50256]);
    }
  });

  it('applies merges by rank, not by whether the concatenation is a token', () => {
    const vocab = { a: 0, b: 1, c: 2, ab: 3, bc: 4, abc: 5, [END_OF_TEXT]: 6 };
    // "abc" only forms from "a" + "bc"; with "a b" ranked first the word stops at ["ab", "c"].
    const abFirst = GPT2Tokenizer.fromVocabAndMerges(vocab, 'a b\nb c\na bc\n');
    expect(abFirst.encode('abc')).toEqual([3, 2]);
    const bcFirst = GPT2Tokenizer.fromVocabAndMerges(vocab, 'b c\na b\na bc\n');
    expect(bcFirst.encode('abc')).toEqual([5]);
    expect(bcFirst.decode([5, 3])).toBe('abcab');
  });

  it('rejects malformed files, naming the line or token', () => {
    expect(() => GPT2Tokenizer.fromVocabAndMerges({ a: 0 }, 'a b c\n')).toThrow(/merges line 1/);
    expect(() => GPT2Tokenizer.fromVocabAndMerges({ 'a b': 0 }, '')).toThrow(/"a b" has " "/);
    expect(() => GPT2Tokenizer.fromTokenizerJson({ model: { type: 'WordPiece' } })).toThrow(
      /model.type is "WordPiece"/,
    );
    writeFileSync(join(dir, 'tokenizer.json'), '{ not json');
    return expect(GPT2Tokenizer.fromPretrained(dir)).rejects.toThrow(/tokenizer.json/);
  });
});
