import { Rng } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { KANLinear, splineLinear } from '../src/index.js';

/**
 * `splineLinear` takes the features in blocks (of ~1000 / coeffs by default, so a small layer is
 * one block): blocks of 2 features must give the output and gradients of one block.
 */
describeBackends('splineLinear in feature blocks', () => {
  it('equals the single-block product: output, input, weight and scaler gradients', async () => {
    const rng = new Rng(17);
    const layer = new KANLinear({ inFeatures: 5, outFeatures: 4, rng });
    const x = tf.variable(rng.uniform([6, 5], -1, 1)) as tf.Variable<tf.Rank.R2>;
    const dy = rng.normalTensor([6, 4]);
    const run = (featureBlock?: number) =>
      tf.variableGrads(() => {
        const y = splineLinear({
          x,
          grid: layer.grid,
          splineWeight: layer.splineWeight,
          splineScaler: layer.splineScaler,
          splineOrder: layer.splineOrder,
          featureBlock,
        });
        return tf.sum(tf.mul(y, dy)) as tf.Scalar;
      });
    const blocked = await expectNoLeaks(() => run(2), 'blocked spline product');
    const whole = run();
    await expectClose(blocked.value, whole.value, { atol: 1e-5, label: 'output' });
    for (const [name, grad] of Object.entries(whole.grads)) {
      await expectClose(blocked.grads[name], grad, { atol: 1e-5, label: `gradient of ${name}` });
    }
    tf.dispose([
      x,
      dy,
      blocked.value,
      whole.value,
      ...Object.values(blocked.grads),
      ...Object.values(whole.grads),
    ]);
    layer.dispose();
  });
});
