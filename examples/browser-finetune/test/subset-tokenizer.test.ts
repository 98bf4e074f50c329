import { GPT2Tokenizer } from '@lgpt/gpt2';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../src/corpus.js';
import { subsetTokenizer } from '../src/subset-tokenizer.js';

describe('subsetTokenizer', () => {
  let gpt2: GPT2Tokenizer;
  let subset: GPT2Tokenizer;
  const pieces = (tokenizer: GPT2Tokenizer, text: string) =>
    tokenizer.encode(text).map((id) => tokenizer.decode([id]));

  beforeAll(async () => {
    gpt2 = await GPT2Tokenizer.load();
    subset = subsetTokenizer(gpt2, CORPUS);
  });

  it('splits the corpus into exactly the pieces GPT-2 does', () => {
    expect(pieces(subset, CORPUS)).toEqual(pieces(gpt2, CORPUS));
  });

  it('numbers its tokens 0…n−1 in GPT-2 order, far fewer than GPT-2 has', () => {
    const gpt2Ids = gpt2.encode(CORPUS);
    const subsetIds = subset.encode(CORPUS);
    for (let i = 1; i < gpt2Ids.length; i++) {
      expect(Math.sign(subsetIds[i] - subsetIds[i - 1])).toBe(
        Math.sign(gpt2Ids[i] - gpt2Ids[i - 1]),
      );
    }
    expect(Math.max(...subsetIds)).toBeLessThan(subset.vocabSize);
    expect(subset.vocabSize).toBeLessThan(gpt2.vocabSize / 10);
  });

  it('encodes and decodes text outside the corpus unchanged', () => {
    for (const text of ["Shall I compare thee to a summer's day?", 'naïve café — 😀 ∑']) {
      const ids = subset.encode(text);
      expect(Math.max(...ids)).toBeLessThan(subset.vocabSize);
      expect(subset.decode(ids)).toBe(text);
    }
  });

  it('keeps <|endoftext|> as its one special token, last', () => {
    expect(subset.eosTokenId).toBe(subset.vocabSize - 1);
    expect(subset.encode('<|endoftext|>')).toEqual([subset.eosTokenId]);
    expect(subset.decode([subset.eosTokenId], { skipSpecialTokens: true })).toBe('');
  });
});
