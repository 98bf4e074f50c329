import { Rng } from '@lgpt/core';
import { describeBackends } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, chooseNextToken } from '../src/generation/next-token.js';
import { resolveGenerateOptions } from '../src/generation/options.js';
import { GPT2LMHeadModel } from '../src/index.js';
import { MODEL_DIR } from './support/fixtures.js';

const SAMPLING_ERROR = /cannot sample the token at position 2: its probabilities contain NaN/;

describe('sampling from logits without a distribution', () => {
  const options = (extra = {}) =>
    resolveGenerateOptions({ doSample: true, eosTokenId: null, ...extra }, {
      vocab_size: 4,
    } as never);

  it('raises on NaN logits, all -Infinity logits and an Infinity logit, as Hugging Face does', () => {
    const rng = new Rng(0);
    const bad = [
      [0.1, Number.NaN, 0.3, 0.2],
      new Array(4).fill(Number.NEGATIVE_INFINITY),
      [0, Number.POSITIVE_INFINITY, 1, 2],
    ];
    for (const logits of bad) {
      expect(() => chooseNextToken(Float32Array.from(logits), [5, 6], options(), rng)).toThrow(
        SAMPLING_ERROR,
      );
    }
    // Whatever the processors keep, a NaN among the logits leaves no distribution.
    expect(() =>
      chooseNextToken(Float32Array.from(bad[0]), [5, 6], options({ topK: 2 }), rng),
    ).toThrow(SAMPLING_ERROR);
  });

  it('takes a NaN as the maximum when greedy, as torch.argmax does', () => {
    expect(argmax([1, Number.NaN, 2])).toBe(1);
    expect(argmax([1, 3, 2])).toBe(1);
  });
});

describeBackends('generate with NaN weights', () => {
  let model: GPT2LMHeadModel;
  beforeAll(async () => {
    model = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
    const [name, weight] = model.namedParameters().find(([n]) => n.endsWith('ln_f.weight')) ?? [];
    expect(name).toBeDefined();
    tf.tidy(() => weight?.assign(tf.fill(weight.shape, Number.NaN)));
  });
  afterAll(() => model.dispose());

  it('raises instead of returning sampled tokens', async () => {
    await expect(
      model.generate([[11, 22]], { doSample: true, maxNewTokens: 3, eosTokenId: null, seed: 1 }),
    ).rejects.toThrow(SAMPLING_ERROR);
  });
});
