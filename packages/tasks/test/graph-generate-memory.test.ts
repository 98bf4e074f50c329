import { Rng } from '@lgpt/core';
import { describeBackends } from '@lgpt/core/testing';
import { GPT2Config } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createVariantModel, withVariant } from '../src/index.js';

describeBackends('graph variant memory', () => {
  it('100 generate steps (100 sequence lengths) do not grow tf.memory().numTensors', async () => {
    const base = new GPT2Config({
      vocabSize: 50,
      nPositions: 128,
      nEmbd: 16,
      nLayer: 2,
      nHead: 2,
      bosTokenId: 0,
      eosTokenId: 0,
    });
    const model = createVariantModel(withVariant(base, { useGraph: true }), {
      initRng: new Rng(0),
    });
    expect(model.namedParameters().some(([name]) => name.includes('.graph.'))).toBe(true);
    const before = tf.memory().numTensors;
    // Graph attention runs without a KV cache: every step is a full forward at a new length. A
    // mask cached per layer per length kept 2 layers × 100 lengths = 200 tensors here.
    const [row] = await model.generate([[1, 2, 3]], { maxNewTokens: 100, eosTokenId: null });
    expect(row).toHaveLength(103);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
