import { Rng } from '@lgpt/core';
import { describeBackends, expectClose } from '@lgpt/core/testing';
import { causalLmLoss, GPT2Config, GPT2LMHeadModel } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { getPeftModel } from '../src/index.js';

/**
 * GPT-2's gradient checkpointing leaves a block's last product (MLP `c_proj`) out of the
 * recomputation only for layers whose gradients never read their output: LoRA's do not, DoRA's
 * do (its magnitude's gradient reads the base output). Either way the adapter's gradients equal
 * those without checkpointing.
 */
describeBackends('LoRA and DoRA under GPT-2 gradient checkpointing', () => {
  const config = new GPT2Config({
    vocabSize: 61,
    nPositions: 16,
    nEmbd: 16,
    nLayer: 2,
    nHead: 2,
    bosTokenId: 60,
    eosTokenId: 60,
    // One model is run with and then without checkpointing, so no dropout draws differ.
    residPdrop: 0,
    embdPdrop: 0,
    attnPdrop: 0,
  });
  const ids = [
    [5, 17, 3, 58, 41, 9, 60, 2],
    [12, 7, 55, 30, 4, 58, 21, 1],
  ];
  const make = (useDora: boolean) => {
    const model = new GPT2LMHeadModel(config, { initRng: new Rng(3), dropoutRng: new Rng(4) });
    return getPeftModel(model, {
      r: 4,
      loraAlpha: 8,
      targetModules: ['c_attn', 'c_proj', 'c_fc'],
      // Nonzero B, so every adapter weight gets a nonzero gradient.
      initLoraWeights: 'gaussian',
      useDora,
    });
  };
  const gradsOf = (model: GPT2LMHeadModel) =>
    tf.variableGrads(() => {
      const { lastHiddenState } = model.transformer.forward(ids);
      return causalLmLoss(lastHiddenState, model.headWeight, tf.tensor2d(ids, undefined, 'int32'));
    });

  for (const useDora of [false, true]) {
    it(`gives ${useDora ? 'DoRA' : 'LoRA'} the gradients it has without checkpointing`, async () => {
      const peft = make(useDora);
      const model = peft.baseModel.model.train();
      const expected = gradsOf(model);
      const ours = gradsOf(model.gradientCheckpointingEnable());
      const names = new Map(peft.namedParameters().map(([name, p]) => [p.name, name]));
      expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(expected.grads).sort());
      for (const [key, g] of Object.entries(ours.grads)) {
        await expectClose(g, expected.grads[key], { atol: 1e-5, label: names.get(key) });
      }
      tf.dispose([expected.value, ours.value, ...Object.values(expected.grads)]);
      tf.dispose(Object.values(ours.grads));
      peft.dispose();
    });
  }
});
