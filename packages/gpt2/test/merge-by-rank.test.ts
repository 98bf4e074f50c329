import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeByRank } from '../src/tokenizer/merge-by-rank.js';

/** Hugging Face's Python `GPT2Tokenizer.bpe` loop, as written there: rescan after every merge. */
function pythonBpe(symbols: string[], rankOf: (a: string, b: string) => number | undefined) {
  let parts = symbols.slice();
  for (;;) {
    let best = Number.POSITIVE_INFINITY;
    let pair: [string, string] | null = null;
    for (let i = 0; i < parts.length - 1; i++) {
      const rank = rankOf(parts[i], parts[i + 1]);
      if (rank !== undefined && rank < best) {
        best = rank;
        pair = [parts[i], parts[i + 1]];
      }
    }
    if (!pair) return parts;
    const merged: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (i < parts.length - 1 && parts[i] === pair[0] && parts[i + 1] === pair[1]) {
        merged.push(pair[0] + pair[1]);
        i++;
      } else merged.push(parts[i]);
    }
    parts = merged;
  }
}

/** Any merge list over a small alphabet, including ones no training run would write (a merge ranked before the merges that build its halves). */
const mergeLists = fc.uniqueArray(
  fc.tuple(fc.stringMatching(/^[abc]{1,3}$/), fc.stringMatching(/^[abc]{1,3}$/)),
  { maxLength: 30, selector: ([a, b]) => `${a} ${b}` },
);

describe('mergeByRank', () => {
  it("equals Hugging Face's Python BPE loop on any word and merge list", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 40 }),
        mergeLists,
        (word, merges) => {
          const ranks = new Map(merges.map(([a, b], rank) => [`${a} ${b}`, rank]));
          const rankOf = (a: string, b: string) => ranks.get(`${a} ${b}`);
          expect(mergeByRank(word, rankOf)).toEqual(pythonBpe(word, rankOf));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('waits for a round to end before a pair it created with a lower rank', () => {
    // "a a" (rank 1) merges every occurrence first, then "aa a" (rank 0): a heap without rounds
    // would merge "aa a" as soon as it appears and end with ["aaa", "aa"].
    const ranks = new Map([
      ['aa a', 0],
      ['a a', 1],
    ]);
    const rankOf = (a: string, b: string) => ranks.get(`${a} ${b}`);
    expect(mergeByRank(['a', 'a', 'a', 'a', 'a'], rankOf)).toEqual(['aa', 'aaa']);
    expect(pythonBpe(['a', 'a', 'a', 'a', 'a'], rankOf)).toEqual(['aa', 'aaa']);
  });
});
