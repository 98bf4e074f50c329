import type { Rng } from '@lgpt/core';
import { corpusOf, sonnetsOf } from './corpus-text.js';
import sonnetsFile from './sonnets.txt?raw';

/** The bundled sonnets, split as the reference's `SonnetsDataset` does. */
export const SONNETS = sonnetsOf(sonnetsFile);

/** The training text: the sonnets, separated by a blank line. */
export const CORPUS = corpusOf(SONNETS);

/** `batchSize` windows of `seqLen` consecutive tokens from random offsets of the token stream. */
export function sampleWindows(
  tokens: readonly number[],
  batchSize: number,
  seqLen: number,
  rng: Rng,
): number[][] {
  const starts = tokens.length - seqLen + 1;
  if (starts < 1) {
    throw new Error(`the corpus has ${tokens.length} tokens, too few for windows of ${seqLen}`);
  }
  return Array.from({ length: batchSize }, () => {
    const start = rng.int(starts);
    return tokens.slice(start, start + seqLen);
  });
}
