import * as tf from '@tensorflow/tfjs-core';

export interface CustomGradResult {
  value: tf.Tensor;
  /** Returns one gradient per input, in input order. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * `tf.customGrad` with the inputs passed as an array (so the number of differentiable inputs can
 * vary per call) and typed tensors instead of the `Tensor | GradSaveFunc` union.
 *
 * Two memory fixes over tfjs's autodiff, which matter for a model's worth of these ops:
 * - the gradient function runs inside a `tf.tidy` (tfjs calls it outside any scope of its own, so
 *   every intermediate of every backward step would live until the whole backward pass ends);
 * - once it has run, the incoming gradient `dy` is freed: tfjs keeps every intermediate gradient
 *   until the backward pass ends (for GPT-2 small fine-tuning, ~0.7 GB), although only this op
 *   reads the gradient of its output. Only a `dy` autodiff made during the backward pass is freed
 *   (its scope is younger than this op's forward): a caller's own `dy` (`tf.grads(f)(xs, dy)`) is
 *   left alone, and so is a `dy` the function returns as a gradient.
 */
export function customGrad(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomGradResult,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  // `save` clones; on wasm that copies unless `initBackend` put the sharing Identity in place.
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const forwardScope = tf.engine().state.activeScope?.id ?? Number.POSITIVE_INFINITY;
    const { value, gradFunc } = f(args as tf.Tensor[], save);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const grads = tf.tidy(() => gradFunc(dy as tf.Tensor, saved));
        const upstream = dy as tf.Tensor;
        if (upstream.scopeId > forwardScope && !grads.includes(upstream)) upstream.dispose();
        return grads;
      },
    };
  });
}
