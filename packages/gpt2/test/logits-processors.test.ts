import { Rng } from '@lgpt/core';
import { describe, expect, it } from 'vitest';
import { sample } from '../src/generation/next-token.js';
import {
  applyRepetitionPenalty,
  applyTemperature,
  banRepeatedNgrams,
  keepTopK,
  keepTopP,
} from '../src/index.js';

const NEG = Number.NEGATIVE_INFINITY;
const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);

describe("Hugging Face's logits processors", () => {
  it('top-k keeps the k largest, ties with the k-th included', () => {
    const scores = Float32Array.from([1, 3, 2, 3, 0]);
    keepTopK(scores, 2);
    expect([...scores]).toEqual([NEG, 3, NEG, 3, NEG]);
    const tie = Float32Array.from([5, 4, 4, 1]);
    keepTopK(tie, 2);
    expect([...tie]).toEqual([5, 4, 4, NEG]);
  });

  it('top-p keeps the smallest most-likely set reaching p (nucleus)', () => {
    const scores = logitsOf([0.05, 0.5, 0.15, 0.3]);
    keepTopP(scores, 0.75);
    expect([...scores].map((s) => s > NEG)).toEqual([false, true, false, true]);
    const only = logitsOf([0.2, 0.5, 0.3]);
    keepTopP(only, 0);
    expect([...only].map((s) => s > NEG)).toEqual([false, true, false]);
    const all = logitsOf([0.2, 0.5, 0.3]);
    keepTopP(all, 1);
    expect([...all].every((s) => s > NEG)).toBe(true);
  });

  it('repetition penalty divides positive and multiplies negative scores, once per token', () => {
    const scores = Float32Array.from([2, -2, 2, 1]);
    applyRepetitionPenalty(scores, [0, 1, 1, 0], 2);
    expect([...scores]).toEqual([1, -4, 2, 1]);
  });

  it('no-repeat n-gram bans tokens completing a seen n-gram', () => {
    const scores = new Float32Array(6);
    banRepeatedNgrams(scores, [1, 2, 3, 1, 2], 3);
    expect([...scores]).toEqual([0, 0, 0, NEG, 0, 0]);
    const bigram = new Float32Array(8);
    banRepeatedNgrams(bigram, [5, 6, 5, 7, 5], 2);
    expect([...bigram]).toEqual([0, 0, 0, 0, 0, 0, NEG, NEG]);
    const short = new Float32Array(4);
    banRepeatedNgrams(short, [1], 3);
    expect([...short]).toEqual([0, 0, 0, 0]);
  });

  it('temperature divides the scores', () => {
    const scores = Float32Array.from([1, -2]);
    applyTemperature(scores, 0.5);
    expect([...scores]).toEqual([2, -4]);
  });

  it('samples in proportion to the probabilities, never a removed token', () => {
    const rng = new Rng(3);
    const probs = Float64Array.from([0.2, 0, 0.5, 0.3]);
    const counts = [0, 0, 0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[sample(probs, rng)]++;
    expect(counts[1]).toBe(0);
    for (const [i, c] of counts.entries()) expect(Math.abs(c / n - probs[i])).toBeLessThan(0.015);
  });
});
