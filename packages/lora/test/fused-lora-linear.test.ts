import { applyDropoutMask, Conv1D, dropoutMask, Linear, linear, Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { fusedLoraLinear } from '../src/fused-lora-linear.js';

/**
 * The fused op (what `LoraLinear` runs for one plain adapter on a Linear / Conv1D) against the
 * composite of tfjs ops it replaces, with autodiff: outputs and every gradient.
 */
describeBackends('fusedLoraLinear equals the composite LoRA layer', () => {
  const rng = new Rng(21);

  for (const kind of ['conv1d', 'linear'] as const) {
    for (const variant of [
      'dropout, lora bias, trainable base bias',
      'no dropout, frozen adapters',
    ]) {
      it(`${kind}: ${variant}`, async () => {
        const full = variant.startsWith('dropout');
        const [inF, outF, r] = [6, 5, 3];
        const baseLayer =
          kind === 'linear' ? new Linear(inF, outF, { rng }) : new Conv1D(inF, outF, { rng });
        baseLayer.weight.trainable = false;
        baseLayer.bias!.trainable = full;
        const loraA = tf.variable(rng.normalTensor([r, inF]), full);
        const loraB = tf.variable(rng.normalTensor([outF, r]), full);
        const loraBBias = full ? tf.variable(rng.normalTensor([outF])) : null;
        const x = tf.variable(rng.normalTensor([2, 4, inF]));
        const mask = full ? dropoutMask([2, 4, inF], 0.3, new Rng(5)) : null;
        const weights = {
          weight: baseLayer.weight,
          bias: baseLayer.bias,
          fanInFanOut: baseLayer.fanInFanOut,
          loraA,
          loraB,
          loraBBias,
          scaling: 1.5,
          dropout: mask ? { mask, p: 0.3 } : null,
        };
        const composite = () => {
          const dropped = mask ? applyDropoutMask(x, mask, 0.3) : x;
          const up = linear(linear(dropped, loraA), loraB, loraBBias);
          return tf.add(baseLayer.forward(x), tf.mul(up, 1.5));
        };
        const dy = rng.normalTensor([2, 4, outF]);
        const loss = (f: () => tf.Tensor) => () => tf.sum(tf.mul(f(), dy)) as tf.Scalar;
        const ours = await expectNoLeaks(
          () => tf.variableGrads(loss(() => fusedLoraLinear(x, weights))),
          'fused',
        );
        const expected = tf.variableGrads(loss(composite));
        await expectClose(ours.value, expected.value, { atol: 1e-4, label: 'output' });
        expect(Object.keys(ours.grads).sort()).toEqual(Object.keys(expected.grads).sort());
        for (const [name, grad] of Object.entries(expected.grads)) {
          await expectClose(ours.grads[name], grad, { atol: 1e-4, label: `gradient of ${name}` });
        }
        tf.dispose([
          x,
          loraA,
          loraB,
          dy,
          ...(loraBBias ? [loraBBias] : []),
          ...(mask ? [mask] : []),
        ]);
        tf.dispose([
          ours.value,
          expected.value,
          ...Object.values(ours.grads),
          ...Object.values(expected.grads),
        ]);
        baseLayer.dispose();
      });
    }
  }
});
