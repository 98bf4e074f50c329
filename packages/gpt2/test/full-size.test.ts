import { manualSeed } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { type GPT2Config, GPT2LMHeadModel, gpt2Preset } from '../src/index.js';

/** Hugging Face's parameter count for a GPT-2 size (tied head counted once). */
function expectedParameters({
  vocabSize: v,
  nPositions: p,
  nEmbd: c,
  nLayer: l,
  innerDim: i,
}: GPT2Config) {
  const perBlock = 4 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * i + i) + (i * c + c);
  return v * c + p * c + l * perBlock + 2 * c;
}

// Full-size models are exercised where they are practical: wasm (the CPU target) runs GPT-2 small;
// building gpt2-large (774M random weights, ~35 s and 3.2 GB here) is checked on cpu.
describeBackends(
  'GPT-2 small at full size',
  () => {
    it('runs a forward on batch 8 × 128 tokens, and its KV cache agrees', async () => {
      manualSeed(0);
      const model = new GPT2LMHeadModel(gpt2Preset('gpt2')).eval();
      const { vocabSize } = model.config;
      expect(model.numParameters()).toBe(expectedParameters(model.config));
      const batch = 8;
      const length = 128;
      const ids = Array.from({ length: batch }, (_, b) =>
        Array.from({ length }, (_, i) => (b * 7919 + i * 104729) % vocabSize),
      );
      const out = await expectNoLeaks(() => model.forward(ids), 'forward');
      expect(out.logits.shape).toEqual([batch, length, vocabSize]);
      expect(out.lastHiddenState.shape).toEqual([batch, length, model.config.nEmbd]);
      const lastRow0 = tf.slice(out.logits, [0, length - 1, 0], [1, 1, -1]);
      tf.dispose([out.logits, out.lastHiddenState]);
      const prefix = model.forward([ids[0].slice(0, -1)], { useCache: true });
      const step = model.forward([ids[0].slice(-1)], { pastKeyValues: prefix.pastKeyValues });
      await expectClose(step.logits, lastRow0, {
        atol: 1e-4,
        label: 'cached last-position logits',
      });
      tf.dispose([lastRow0, prefix, step] as unknown as tf.TensorContainer);
      model.dispose();
    });
  },
  { only: ['wasm'] },
);

describeBackends(
  'gpt2-large',
  () => {
    it('is built from its preset with Hugging Face names and sizes', () => {
      const before = tf.memory().numTensors;
      const model = new GPT2LMHeadModel(gpt2Preset('gpt2-large'));
      const { nLayer, nEmbd } = model.config;
      expect(model.numParameters()).toBe(expectedParameters(model.config));
      const names = new Map(model.namedParameters().map(([n, p]) => [n, p.shape]));
      expect(names.get(`transformer.h.${nLayer - 1}.attn.c_attn.weight`)).toEqual([
        nEmbd,
        3 * nEmbd,
      ]);
      expect(names.get(`transformer.h.${nLayer - 1}.mlp.c_proj.weight`)).toEqual([
        4 * nEmbd,
        nEmbd,
      ]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  },
  { only: ['cpu'] },
);
