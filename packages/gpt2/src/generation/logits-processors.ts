/**
 * Hugging Face's logits processors and warpers (`generation/logits_process.py`), on one row of
 * next-token scores in place. They run in JavaScript on the scores read back each step, so every
 * backend filters and samples identically.
 */

/** `RepetitionPenaltyLogitsProcessor`: each token already in `sequence` once: s<0 ? s·p : s/p. */
export function applyRepetitionPenalty(
  scores: Float32Array,
  sequence: readonly number[],
  penalty: number,
): void {
  for (const token of new Set(sequence)) {
    const s = scores[token];
    scores[token] = s < 0 ? s * penalty : s / penalty;
  }
}

/**
 * `NoRepeatNGramLogitsProcessor`: bans every token that would complete an n-gram already present
 * in `sequence`.
 */
export function banRepeatedNgrams(
  scores: Float32Array,
  sequence: readonly number[],
  n: number,
): void {
  const length = sequence.length;
  if (length + 1 < n) return;
  const prefix = sequence.slice(length - n + 1).join(',');
  for (let start = 0; start + n <= length; start++) {
    if (sequence.slice(start, start + n - 1).join(',') === prefix) {
      scores[sequence[start + n - 1]] = Number.NEGATIVE_INFINITY;
    }
  }
}

/** `TemperatureLogitsWarper`. */
export function applyTemperature(scores: Float32Array, temperature: number): void {
  for (let i = 0; i < scores.length; i++) scores[i] /= temperature;
}

/** `TopKLogitsWarper`: removes every score below the k-th largest (ties with it are kept). */
export function keepTopK(scores: Float32Array, k: number): void {
  if (k >= scores.length) return;
  const sorted = Float32Array.from(scores).sort();
  const threshold = sorted[scores.length - k];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] < threshold) scores[i] = Number.NEGATIVE_INFINITY;
  }
}

/**
 * `TopPLogitsWarper` (nucleus): sorting ascending, removes the tokens whose cumulative probability
 * is ≤ 1 − p, always keeping the most likely one.
 */
export function keepTopP(scores: Float32Array, p: number): void {
  // Removed (-inf) tokens have probability 0: they stay removed, so only finite ones are sorted.
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++)
    if (scores[i] > Number.NEGATIVE_INFINITY) candidates.push(i);
  candidates.sort((a, b) => scores[a] - scores[b]);
  const probs = softmax(candidates.map((i) => scores[i]));
  let cumulative = 0;
  for (let j = 0; j < candidates.length - 1; j++) {
    cumulative += probs[j];
    if (cumulative > 1 - p) break;
    scores[candidates[j]] = Number.NEGATIVE_INFINITY;
  }
}

/** Softmax in float64 (exp(-inf) = 0). */
export function softmax(values: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.exp(values[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}
