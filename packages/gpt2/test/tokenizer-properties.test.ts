import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { GPT2Tokenizer } from '../src/index.js';

// Property-based: fast-check prints the seed and the shrunk counterexample when one fails.
const NUM_RUNS = 1000;

describe('GPT2Tokenizer properties', () => {
  let tokenizer: GPT2Tokenizer;
  beforeAll(async () => {
    tokenizer = await GPT2Tokenizer.load();
  });

  it('decode(encode(text)) is text for any well-formed Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('round-trips long runs without spaces', () => {
    const piece = fc.string({
      unit: fc.constantFrom('a', 'z', 'Q', '7', '0', '!', '-', 'é', '字', '😀', '\u0301'),
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(piece, fc.integer({ min: 1, max: 600 }), (unit, times) => {
        const text = unit.repeat(times);
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('rejects a lone surrogate anywhere with an error naming it and its index', () => {
    const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 50 }),
        surrogate,
        fc.string({ unit: 'grapheme-ascii', maxLength: 50 }),
        (before, lone, after) => {
          const code = lone.charCodeAt(0).toString(16).toUpperCase();
          expect(() => tokenizer.encode(before + lone + after)).toThrow(
            `lone UTF-16 surrogate U+${code} at index ${before.length}`,
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
