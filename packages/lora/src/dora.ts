import { customGrad, Module, type Parameter } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { type LoraWeights, loraDelta, loraDeltaWeight } from './functional.js';

/**
 * DoRA (weight-decomposed LoRA, arXiv:2402.09353) as PEFT implements it: the adapted weight
 * `W' = W + s·B·A` is rescaled per output by `m / ‖W'‖`, where `m` is a trainable magnitude vector
 * initialised to `‖W'‖` and the norm is treated as a constant of autodiff (the paper's §4.3).
 */

/** PEFT's `DoraLinearLayer`: holds the magnitude vector as its `weight` (`lora_magnitude_vector`). */
export class DoraMagnitude extends Module {
  weight: Parameter;

  constructor(magnitude: tf.Tensor) {
    super();
    this.weight = this.registerParameter('weight', magnitude);
  }
}

/**
 * `‖W + ΔW‖` for each output (a vector `[out]`), with `W` and `ΔW` in the base weight's layout.
 * Computed outside autodiff: a custom op with no differentiable inputs is a constant to the tape.
 */
export function doraWeightNorm(
  weight: tf.Tensor,
  deltaWeight: tf.Tensor,
  fanInFanOut: boolean,
): tf.Tensor {
  return customGrad(() => ({
    value: tf.tidy(() =>
      tf.sqrt(tf.sum(tf.square(tf.add(weight, deltaWeight)), fanInFanOut ? 0 : 1)),
    ),
    gradFunc: () => [],
  }))();
}

export interface DoraWeights extends LoraWeights {
  weight: tf.Tensor;
  fanInFanOut: boolean;
  magnitude: tf.Tensor;
}

/**
 * What DoRA adds to the base layer's output: `(m/‖W'‖ − 1)·(x·W) + (m/‖W'‖)·s·B(A(x))`.
 * `baseWithoutBias` is `x·W` for the same `x` (PEFT reuses the base output when there is no dropout).
 */
export function doraDelta(x: tf.Tensor, baseWithoutBias: tf.Tensor, w: DoraWeights): tf.Tensor {
  return tf.tidy(() => {
    const delta = loraDeltaWeight(w.loraA, w.loraB, w.scaling, w.fanInFanOut);
    const factor = tf.div(w.magnitude, doraWeightNorm(w.weight, delta, w.fanInFanOut));
    const rescaledBase = tf.mul(tf.sub(factor, 1), baseWithoutBias);
    return tf.add(rescaledBase, tf.mul(factor, loraDelta(x, w)));
  });
}

/** The per-output factor `m / norm` shaped to scale the base weight (rows `[out, 1]`, or columns). */
function weightFactor(magnitude: tf.Tensor, norm: tf.Tensor, fanInFanOut: boolean): tf.Tensor {
  const factor = tf.div(magnitude, norm);
  return fanInFanOut ? factor : tf.reshape(factor, [-1, 1]);
}

/** Merged DoRA weight `m/‖W+ΔW‖ · (W + ΔW)`, and the norm needed to undo it. */
export function doraMerge(
  weight: tf.Tensor,
  deltaWeight: tf.Tensor,
  magnitude: tf.Tensor,
  fanInFanOut: boolean,
): { merged: tf.Tensor; norm: tf.Tensor } {
  const norm = doraWeightNorm(weight, deltaWeight, fanInFanOut);
  const merged = tf.tidy(() =>
    tf.mul(weightFactor(magnitude, norm, fanInFanOut), tf.add(weight, deltaWeight)),
  );
  return { merged, norm };
}

/** Inverse of `doraMerge` given the norm it returned: `W = merged / (m/norm) − ΔW`. */
export function doraUnmerge(
  merged: tf.Tensor,
  deltaWeight: tf.Tensor,
  magnitude: tf.Tensor,
  norm: tf.Tensor,
  fanInFanOut: boolean,
): tf.Tensor {
  return tf.tidy(() =>
    tf.sub(tf.div(merged, weightFactor(magnitude, norm, fanInFanOut)), deltaWeight),
  );
}
