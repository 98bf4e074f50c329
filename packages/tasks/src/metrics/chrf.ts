import { codePoints, pySplit } from '../text/python-strings.js';

/**
 * chrF and chrF++ exactly as sacrebleu 2.x's `CHRF` computes them (Popović 2015/2017): character
 * n-grams over code points with whitespace removed (Python `str.split()` semantics), optional word
 * n-grams after sacrebleu's punctuation split, clipped match counts, corpus statistics summed before
 * scoring, and the "effective order" average of precision and recall.
 */

export interface ChrfOptions {
  /** Character n-gram order (default 6). */
  charOrder?: number;
  /** Word n-gram order (default 0; 2 gives chrF++). */
  wordOrder?: number;
  /** Weight of recall against precision (default 2). */
  beta?: number;
  /** Lowercase hypotheses and references first (default false: case-sensitive). */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams (default false). */
  whitespace?: boolean;
  /** chrF++.py-style epsilon smoothing instead of the effective order (default false). */
  epsSmoothing?: boolean;
}

export interface ChrfScore {
  /** 0–100. */
  score: number;
  /** sacrebleu's name: `chrF2`, `chrF2++`, … */
  name: string;
  /** `[hyp, ref, match]` counts per char order 1…charOrder, then word order 1…wordOrder. */
  statistics: number[];
}

/** One reference stream (`string[]`, a reference per hypothesis), or several (`string[][]`). */
export type ChrfReferences = readonly string[] | readonly (readonly string[])[];

type Counts = Map<string, number>;

/** Python's `string.punctuation`, which sacrebleu splits off words for chrF++. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const EPS = 1e-16;

interface Resolved {
  charOrder: number;
  wordOrder: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  epsSmoothing: boolean;
}

function resolve(options: ChrfOptions): Resolved {
  const {
    charOrder = 6,
    wordOrder = 0,
    beta = 2,
    lowercase = false,
    whitespace = false,
    epsSmoothing = false,
  } = options;
  if (!Number.isInteger(charOrder) || charOrder < 0) {
    throw new Error(`chrF charOrder must be a non-negative integer, got ${charOrder}`);
  }
  if (!Number.isInteger(wordOrder) || wordOrder < 0) {
    throw new Error(`chrF wordOrder must be a non-negative integer, got ${wordOrder}`);
  }
  if (charOrder + wordOrder === 0) throw new Error('chrF needs charOrder + wordOrder ≥ 1');
  if (!(beta >= 0)) throw new Error(`chrF beta must be ≥ 0, got ${beta}`);
  return { charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing };
}

function count(counts: Counts, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function ngrams(units: readonly string[], n: number, joiner: string): Counts {
  const counts: Counts = new Map();
  for (let i = 0; i + n <= units.length; i++) count(counts, units.slice(i, i + n).join(joiner));
  return counts;
}

/** sacrebleu's `_remove_punctuation`: one trailing (else leading) punctuation mark split off. */
function splitPunctuation(sentence: string): string[] {
  const tokens: string[] = [];
  for (const word of pySplit(sentence)) {
    const chars = codePoints(word);
    if (chars.length === 1) tokens.push(word);
    else if (PUNCTUATION.has(chars[chars.length - 1])) {
      tokens.push(chars.slice(0, -1).join(''), chars[chars.length - 1]);
    } else if (PUNCTUATION.has(chars[0])) tokens.push(chars[0], chars.slice(1).join(''));
    else tokens.push(word);
  }
  return tokens;
}

/** The n-gram counts of one segment: char orders 1…charOrder, then word orders 1…wordOrder. */
function segmentNgrams(segment: string, o: Resolved): Counts[] {
  const text = o.lowercase ? segment.toLowerCase() : segment;
  const chars = codePoints(o.whitespace ? text : pySplit(text).join(''));
  const all: Counts[] = [];
  for (let n = 1; n <= o.charOrder; n++) all.push(ngrams(chars, n, ''));
  if (o.wordOrder > 0) {
    const words = splitPunctuation(text);
    for (let n = 1; n <= o.wordOrder; n++) all.push(ngrams(words, n, ' '));
  }
  return all;
}

function matchStatistics(hyp: Counts, ref: Counts): number[] {
  let hypCount = 0;
  let matches = 0;
  for (const [gram, n] of hyp) {
    hypCount += n;
    matches += Math.min(n, ref.get(gram) ?? 0);
  }
  let refCount = 0;
  for (const n of ref.values()) refCount += n;
  // sacrebleu counts no hypothesis n-grams for an order the reference has none of.
  return [ref.size > 0 ? hypCount : 0, refCount, matches];
}

/** The chrF score (0–100) of summed statistics, in sacrebleu's order of float operations. */
export function chrfScoreFromStatistics(statistics: readonly number[], options: ChrfOptions = {}) {
  const { charOrder, wordOrder, beta, epsSmoothing } = resolve(options);
  const order = charOrder + wordOrder;
  if (statistics.length !== 3 * order) {
    throw new Error(`chrF statistics need 3 × ${order} counts, got ${statistics.length}`);
  }
  const factor = beta ** 2;
  let smoothed = 0;
  let effectiveOrder = 0;
  let precision = 0;
  let recall = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = statistics.slice(3 * i, 3 * i + 3);
    const p = nHyp > 0 ? nMatch / nHyp : EPS;
    const r = nRef > 0 ? nMatch / nRef : EPS;
    const denominator = factor * p + r;
    smoothed += denominator > 0 ? ((1 + factor) * p * r) / denominator : EPS;
    if (nHyp > 0 && nRef > 0) {
      precision += p;
      recall += r;
      effectiveOrder++;
    }
  }
  if (epsSmoothing) return (100 * smoothed) / order;
  if (effectiveOrder === 0) return 0;
  precision /= effectiveOrder;
  recall /= effectiveOrder;
  if (precision + recall === 0) return 0;
  return 100 * (((1 + factor) * precision * recall) / (factor * precision + recall));
}

/**
 * Per-segment `[hyp, ref, match]` statistics. With several references a segment keeps the
 * statistics of the reference with the best sentence score (the first on ties). An empty
 * reference is a reference like any other, as in sacrebleu: it has no n-grams, so its statistics
 * are all 0 (sentence score 0, nothing added to the corpus statistics), and being first it wins
 * a tie at score 0 against a non-empty reference.
 */
export function chrfStatistics(
  hypotheses: readonly string[],
  references: ChrfReferences,
  options: ChrfOptions = {},
): number[][] {
  const o = resolve(options);
  const streams = toStreams(references);
  streams.forEach((stream, s) => {
    if (stream.length !== hypotheses.length) {
      throw new Error(
        `chrF: reference stream ${s} has ${stream.length} segments but there are ${hypotheses.length} hypotheses`,
      );
    }
  });
  return hypotheses.map((hypothesis, i) => {
    const refs = streams.map((stream) => stream[i]);
    const hyp = segmentNgrams(hypothesis, o);
    let best: number[] = [];
    let bestScore = -1;
    for (const ref of refs) {
      const refNgrams = segmentNgrams(ref, o);
      const stats = hyp.flatMap((h, order) => matchStatistics(h, refNgrams[order]));
      const score = chrfScoreFromStatistics(stats, o);
      if (score > bestScore) {
        bestScore = score;
        best = stats;
      }
    }
    return best;
  });
}

/** sacrebleu `CHRF(...).corpus_score(hypotheses, references)`. */
export function corpusChrf(
  hypotheses: readonly string[],
  references: ChrfReferences,
  options: ChrfOptions = {},
): ChrfScore {
  const o = resolve(options);
  const total = new Array<number>(3 * (o.charOrder + o.wordOrder)).fill(0);
  for (const stats of chrfStatistics(hypotheses, references, o)) {
    stats.forEach((value, k) => {
      total[k] += value;
    });
  }
  return { score: chrfScoreFromStatistics(total, o), name: chrfName(o), statistics: total };
}

/** sacrebleu `CHRF(...).sentence_score(hypothesis, references)`: one segment, any number of refs. */
export function sentenceChrf(
  hypothesis: string,
  references: string | readonly string[],
  options: ChrfOptions = {},
): ChrfScore {
  const refs = typeof references === 'string' ? [references] : references;
  return corpusChrf(
    [hypothesis],
    refs.map((ref) => [ref]),
    options,
  );
}

function chrfName(o: Resolved): string {
  return `chrF${o.beta}${'+'.repeat(o.wordOrder)}`;
}

function toStreams(references: ChrfReferences): readonly (readonly string[])[] {
  if (references.length === 0) throw new Error('chrF: no references given');
  const strings = references.filter((r) => typeof r === 'string').length;
  if (strings === references.length) return [references as readonly string[]];
  if (strings === 0) return references as readonly (readonly string[])[];
  throw new Error(
    'chrF: references must be one stream (string[]) or several (string[][]), not a mix',
  );
}
