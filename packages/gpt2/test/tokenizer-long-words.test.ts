import { Rng } from '@lgpt/core';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { beforeAll, describe, expect, it } from 'vitest';
import { GPT2Tokenizer } from '../src/index.js';

/** Lowercase letters without a space: one pre-token, many BPE tokens. */
function letters(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(97 + rng.int(26));
  return s;
}

describe('GPT2Tokenizer on long words without spaces', () => {
  let tokenizer: GPT2Tokenizer;
  beforeAll(async () => {
    tokenizer = await GPT2Tokenizer.load();
  });

  it('encodes a 500k-character word (125k tokens) and decodes it back', () => {
    // Used to throw "RangeError: Maximum call stack size exceeded" (ids spread into push()).
    const word = 'a'.repeat(500_000);
    const ids = tokenizer.encode(word);
    expect(ids.length).toBeGreaterThan(120_000);
    expect(tokenizer.decode(ids)).toBe(word);
    const rng = new Rng(3);
    const random = letters(rng, 300_000);
    expect(tokenizer.decode(tokenizer.encode(random))).toBe(random);
  });

  it("equals js-tiktoken's gpt2 encoding on long words", () => {
    // js-tiktoken's merge loop is quadratic: a few thousand characters are what it does in time.
    const tiktoken = new Tiktoken(gpt2Ranks);
    const rng = new Rng(11);
    for (const word of [
      'x'.repeat(3000),
      letters(rng, 3000),
      '7'.repeat(2999),
      '!?'.repeat(1500),
    ]) {
      expect(tokenizer.encode(word)).toEqual(tiktoken.encode(word));
    }
  });
});
