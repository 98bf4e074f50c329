import * as tf from '@tensorflow/tfjs-core';

export interface CustomGradResult {
  value: tf.Tensor;
  /** Returns one gradient per input, in input order. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * `tf.customGrad` with the inputs passed as an array (so the number of differentiable inputs can
 * vary per call) and typed tensors instead of the `Tensor | GradSaveFunc` union.
 */
export function customGrad(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomGradResult,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return f(args as tf.Tensor[], save);
  });
}
