import type { Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

export interface Dataset {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

/** Standard normal inputs `[n, features]`, drawn in JS so a seed gives the same data everywhere. */
function normalInputs(n: number, features: number, rng: Rng): tf.Tensor2D {
  return tf.tensor2d(rng.normalArray(n * features), [n, features]);
}

/**
 * The task the bundled base model was trained on: a smooth function of the 8 inputs,
 * `y = sin(x·a) + 0.5·tanh(x·b)`, with fixed random directions `a`, `b`.
 */
export function pretrainingTask(n: number, features: number, rng: Rng): Dataset {
  const a = tf.tensor2d(rng.normalArray(features, 0, 1 / Math.sqrt(features)), [features, 1]);
  const b = tf.tensor2d(rng.normalArray(features, 0, 1 / Math.sqrt(features)), [features, 1]);
  const x = normalInputs(n, features, rng);
  const y = tf.tidy(() =>
    tf.add(tf.sin(tf.matMul(x, a)), tf.mul(tf.tanh(tf.matMul(x, b)), 0.5)),
  ) as tf.Tensor2D;
  tf.dispose([a, b]);
  return { x, y };
}

/**
 * The new task LoRA adapts to, for any model with `[n, in]` inputs and `[n, out]` outputs: what the
 * base model predicts plus a smooth shift, `y = base(x) + 0.5·sin(x·V)` with a fixed random
 * `V` `[in, out]`. The base model alone misses the shift entirely. Returns a training set and a
 * held-out set of the same task.
 */
export function shiftedTask(
  predict: (x: tf.Tensor2D) => tf.Tensor2D,
  [features, outputs]: [number, number],
  [trainRows, evalRows]: [number, number],
  rng: Rng,
): { train: Dataset; evaluation: Dataset } {
  const scale = 1 / Math.sqrt(features);
  const v = tf.tensor2d(rng.normalArray(features * outputs, 0, scale), [features, outputs]);
  const sample = (n: number): Dataset => {
    const x = normalInputs(n, features, rng);
    const y = tf.tidy(() =>
      tf.add(predict(x), tf.mul(tf.sin(tf.matMul(x, v)), 0.5)),
    ) as tf.Tensor2D;
    return { x, y };
  };
  const task = { train: sample(trainRows), evaluation: sample(evalRows) };
  v.dispose();
  return task;
}

export function disposeDataset(d: Dataset): void {
  tf.dispose([d.x, d.y]);
}
