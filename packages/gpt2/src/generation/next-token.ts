import type { Rng } from '@lgpt/core';
import {
  applyRepetitionPenalty,
  applyTemperature,
  banRepeatedNgrams,
  keepTopK,
  keepTopP,
  softmax,
} from './logits-processors.js';
import type { ResolvedGenerateOptions } from './options.js';

/**
 * Picks one row's next token from its raw logits, applying Hugging Face's processors in
 * Hugging Face's order: repetition penalty, no-repeat n-gram; then, when sampling, temperature,
 * top-k, top-p. Greedy takes the first maximum, as `torch.argmax` does.
 */
export function chooseNextToken(
  logits: Float32Array,
  sequence: readonly number[],
  options: ResolvedGenerateOptions,
  rng: Rng,
): number {
  const scores = Float32Array.from(logits);
  if (options.repetitionPenalty !== 1) {
    applyRepetitionPenalty(scores, sequence, options.repetitionPenalty);
  }
  if (options.noRepeatNgramSize > 0) banRepeatedNgrams(scores, sequence, options.noRepeatNgramSize);
  if (!options.doSample) return argmax(scores);
  if (options.temperature !== 1) applyTemperature(scores, options.temperature);
  if (options.topK > 0) keepTopK(scores, options.topK);
  if (options.topP < 1) keepTopP(scores, options.topP);
  return sample(softmax(scores), rng);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Draws an index with the given probabilities (which sum to 1). */
export function sample(probs: Float64Array, rng: Rng): number {
  const u = rng.random();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  // Rounding left the total a hair below u: the last possible token.
  return last;
}
