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
  const probs = softmax(scores);
  assertSamplable(probs, sequence.length);
  return sample(probs, rng);
}

/**
 * `torch.multinomial` refuses probabilities with NaN, and so Hugging Face's sampling raises
 * ("probability tensor contains either `inf`, `nan` or element < 0"): NaN logits, or logits that
 * are all -Infinity (softmax is then 0/0), have no distribution to draw from.
 */
function assertSamplable(probs: Float64Array, position: number): void {
  for (let i = 0; i < probs.length; i++) {
    if (!(probs[i] >= 0 && probs[i] <= 1)) {
      throw new Error(
        `cannot sample the token at position ${position}: its probabilities contain NaN (the model's logits have NaN or Infinity, or every logit is -Infinity after the logits processors); Hugging Face raises here too`,
      );
    }
  }
}

/** The first maximum, as `torch.argmax` (a NaN counts as the maximum, as in torch). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) return i;
    if (values[i] > values[best]) best = i;
  }
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
