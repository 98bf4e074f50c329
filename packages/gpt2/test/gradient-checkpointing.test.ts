import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { causalLmLoss, GPT2Config, GPT2LMHeadModel, type GPT2MLP } from '../src/index.js';

/**
 * Gradient checkpointing recomputes each block in backward with the dropout masks of its forward:
 * in train mode (dropout on) the loss and every gradient equal those without it, step after step
 * (so the recomputation draws nothing from the dropout generator either), and frozen weights
 * still get no gradient.
 */
describeBackends('gradient checkpointing', () => {
  const config = new GPT2Config({
    vocabSize: 97,
    nPositions: 32,
    nEmbd: 32,
    nLayer: 3,
    nHead: 4,
    bosTokenId: 96,
    eosTokenId: 96,
  });
  const ids = [
    [5, 17, 3, 88, 41, 9, 60, 2, 33, 71],
    [12, 7, 95, 30, 4, 58, 21, 66, 1, 44],
  ];
  const make = () => {
    const model = new GPT2LMHeadModel(config, {
      initRng: new Rng(3),
      dropoutRng: new Rng(4),
    }).train();
    // A frozen weight, as under LoRA: it must get no gradient either way.
    model.transformer.h.at(1).mlp.parameters()[0].trainable = false;
    return model;
  };

  const step = (model: GPT2LMHeadModel) =>
    tf.variableGrads(
      () => {
        const { lastHiddenState } = model.transformer.forward(ids);
        const labels = tf.tensor2d(ids, undefined, 'int32');
        return causalLmLoss(lastHiddenState, model.headWeight, labels);
      },
      model.parameters().filter((p) => p.trainable),
    );

  it('gives the loss and gradients of the plain model, in train mode with dropout', async () => {
    const plain = make();
    const checkpointed = make().gradientCheckpointingEnable();
    expect(checkpointed.isGradientCheckpointing).toBe(true);
    const names = (model: GPT2LMHeadModel) =>
      new Map(model.namedParameters().map(([name, p]) => [p.name, name]));
    for (const round of [1, 2]) {
      const expected = step(plain);
      const ours = await expectNoLeaks(() => step(checkpointed), `checkpointed step ${round}`);
      await expectClose(ours.value, expected.value, { atol: 1e-6, label: `loss, step ${round}` });
      const [plainNames, ourNames] = [names(plain), names(checkpointed)];
      const byName = new Map(
        Object.entries(expected.grads).map(([key, g]) => [plainNames.get(key), g]),
      );
      expect(
        Object.keys(ours.grads)
          .map((key) => ourNames.get(key))
          .sort(),
      ).toEqual([...byName.keys()].sort());
      expect(byName.has('transformer.h.1.mlp.c_fc.weight')).toBe(false);
      for (const [key, g] of Object.entries(ours.grads)) {
        const name = ourNames.get(key) as string;
        await expectClose(g, byName.get(name) as tf.Tensor, {
          atol: 1e-5,
          label: `${name}, step ${round}`,
        });
      }
      tf.dispose([expected.value, ours.value, ...Object.values(expected.grads)]);
      tf.dispose(Object.values(ours.grads));
    }
    expect(checkpointed.gradientCheckpointingDisable().isGradientCheckpointing).toBe(false);
    plain.dispose();
    checkpointed.dispose();
  });

  it("leaves out the MLP's last product when only its gradients are taken", async () => {
    const mlp = make().eval().transformer.h.at(0).mlp as GPT2MLP;
    const x = new Rng(8).normalTensor([2, 5, config.nEmbd]);
    const run = (outputUnused: boolean) =>
      tf.grads((input: tf.Tensor) => tf.sum(mlp.forward(input, { outputUnused })))([x]);
    // Its output is then c_proj's bias alone, while the gradients stay exact.
    const left = mlp.forward(x, { outputUnused: true });
    await expectClose(left, tf.broadcastTo(mlp.cProj.bias as tf.Tensor, left.shape));
    await expectClose(run(true)[0], run(false)[0], { atol: 1e-6 });
    tf.dispose([x, left]);
  });
});
