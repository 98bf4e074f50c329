import type { KAN } from '@lgpt/kan';
import * as tf from '@tensorflow/tfjs-core';
import type { Samples } from './target.js';

export interface TrainOptions {
  steps: number;
  learningRate: number;
  /** Refit the spline grids to the activations every this many steps, during the first half. */
  gridUpdateEvery: number;
}

/**
 * Full-batch Adam on the mean squared error. As in efficient-kan's examples, the grids follow the
 * data early on (`forward(x, { updateGrid: true })`), then stay put while the fit settles.
 * Returns the final training loss.
 */
/** Steps between two loss lines on stderr. */
const LOG_EVERY = 100;

export async function train(kan: KAN, data: Samples, options: TrainOptions): Promise<number> {
  const optimizer = tf.train.adam(options.learningRate);
  let last = Number.NaN;
  for (let step = 0; step < options.steps; step++) {
    if (step % options.gridUpdateEvery === 0 && step < options.steps / 2) {
      (await kan.forward(data.inputs, { updateGrid: true })).dispose();
    }
    const loss = optimizer.minimize(() => mse(kan.forward(data.inputs), data.values), true);
    if (!loss) throw new Error('optimizer.minimize returned no loss');
    last = (await loss.data())[0];
    loss.dispose();
    if ((step + 1) % LOG_EVERY === 0 || step + 1 === options.steps) {
      process.stderr.write(`fit ${step + 1}/${options.steps} loss ${last.toPrecision(4)}\n`);
    }
  }
  optimizer.dispose();
  return last;
}

export function mse(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(prediction, target))) as tf.Scalar);
}
