import { mergeByRank } from './merge-by-rank.js';

/** Separates a merge's two halves in a map key; no byte string contains U+0100. */
const SEP = '\u0100';

/** Words seen often are cached; the cache is dropped when it grows past this. */
const CACHE_LIMIT = 100_000;

/** Longer words are not cached (as in Hugging Face's tokenizers): they are rarely seen twice. */
const CACHE_WORD_LIMIT = 256;

/**
 * Byte-pair encoding with a ranked merge list, as Hugging Face's GPT-2 tokenizer does it: split a
 * word into bytes, repeatedly merge every occurrence of the adjacent pair with the lowest merge
 * rank, stop when no pair is a merge; then look each part up in the vocabulary.
 */
export class BytePairEncoding {
  private readonly mergeRanks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(
    /** Byte string → token id. */
    readonly vocab: ReadonlyMap<string, number>,
    /** Merges in priority order, as byte-string pairs. */
    readonly merges: readonly (readonly [string, string])[],
  ) {
    merges.forEach(([a, b], rank) => {
      const key = a + SEP + b;
      if (!this.mergeRanks.has(key)) this.mergeRanks.set(key, rank);
    });
  }

  /** Token ids of one pre-tokenized word (a byte string). */
  encodeWord(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const parts = mergeByRank([...word], (a, b) => this.mergeRanks.get(a + SEP + b));
    const ids = parts.map((part) => {
      const id = this.vocab.get(part);
      if (id === undefined) {
        throw new Error(`BPE produced ${JSON.stringify(part)}, which is not in the vocabulary`);
      }
      return id;
    });
    if (word.length <= CACHE_WORD_LIMIT) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, ids);
    }
    return ids;
  }
}
