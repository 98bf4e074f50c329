import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from './custom-grad.js';

/**
 * `x` as a constant of autodiff (PyTorch's `x.detach()`): a custom op with no inputs, so no
 * gradient flows back through it.
 */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  return customGrad(() => ({ value: tf.clone(x), gradFunc: () => [] }))();
}
