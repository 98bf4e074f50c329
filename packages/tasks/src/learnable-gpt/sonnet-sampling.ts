import type { Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SeedGPT2Model } from './gpt2-model.js';

export interface SeedSamplingOptions {
  temperature: number;
  topP: number;
  /** Tokens to add at most (the seed's `max_length`, 128). */
  maxNewTokens: number;
  eosTokenId: number;
  rng: Rng;
  /** Take the most likely token instead of sampling (lgpt's `--greedy`; not in the original). */
  greedy?: boolean;
}

/**
 * `SonnetGPT.generate` (`sonnet_generation.py:85-125`) on the seed's GPT-2 body (logits against the
 * tied word embedding), with lgpt's seeded generator: a full forward
 * pass per new token (no KV cache), the last position's logits divided by the temperature, the
 * seed's top-p filter (tokens sorted by probability are kept while the probability before them is
 * ≤ topP; the first always), a sample, stop at end-of-text. Returns the prompt and the new tokens.
 * It also stops when the model's positions are used up (where the seed would fail).
 */
export async function sampleSeedSonnet(
  gpt: SeedGPT2Model,
  promptIds: readonly number[],
  options: SeedSamplingOptions,
): Promise<number[]> {
  const ids = [...promptIds];
  const maxLength = gpt.config.maxPositions;
  for (let step = 0; step < options.maxNewTokens && ids.length < maxLength; step++) {
    const last = tf.tidy(() => {
      const input = tf.tensor2d([ids], [1, ids.length], 'int32');
      const hidden = gpt.forward(input);
      const width = hidden.shape[2] as number;
      // Only the last position's logits are read: project that row alone.
      const last = tf.slice(hidden, [0, ids.length - 1, 0], [1, 1, width]);
      return tf.reshape(gpt.hiddenStateToToken(last), [-1]);
    });
    const logits = await last.data();
    last.dispose();
    const token = options.greedy
      ? argmax(logits)
      : sampleTopP(logits, options.temperature, options.topP, options.rng);
    if (token === options.eosTokenId) break;
    ids.push(token);
  }
  return ids;
}

/** One token from `softmax(logits / temperature)` after the seed's top-p filter. */
export function sampleTopP(
  logits: ArrayLike<number>,
  temperature: number,
  topP: number,
  rng: Rng,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  const probs = Float64Array.from(logits, (v) => Math.exp(v / temperature - max));
  const total = probs.reduce((a, b) => a + b, 0);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
  const kept: number[] = [];
  let before = 0;
  for (const index of order) {
    if (kept.length > 0 && before > topP) break;
    kept.push(index);
    before += probs[index] / total;
  }
  const keptTotal = kept.reduce((sum, index) => sum + probs[index], 0);
  let u = rng.random() * keptTotal;
  for (const index of kept) {
    u -= probs[index];
    if (u < 0) return index;
  }
  return kept[kept.length - 1];
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
