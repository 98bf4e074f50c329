import * as tf from '@tensorflow/tfjs-core';
import { DROPOUT_MASK } from '../kernels/names.js';

/**
 * `x · mask · scale` is linear in `x`: its gradient is the same product of `dy`, and the mask (a
 * bool) gets none. Only the 1-byte mask is saved, not `x`.
 */
export const dropoutMaskGradConfig: tf.GradConfig = {
  kernelName: DROPOUT_MASK,
  inputsToSave: ['mask'],
  gradFunc: (dy, [mask], attrs) => ({
    x: () => tf.engine().runKernel(DROPOUT_MASK, { x: dy as tf.Tensor, mask }, attrs) as tf.Tensor,
    mask: () => tf.zerosLike(mask),
  }),
};
