import { customGrad } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * `a · b` for 2-D tensors whose backward uses explicitly transposed operands: tfjs's own matMul
 * gradient passes `transposeA/B`, which tfjs-wasm runs 10–40× slower than a plain matMul.
 */
export function matMulPlainGrad(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return customGrad(([x, w], save) => {
    save([x, w]);
    return {
      value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
      gradFunc: (dy, [xs, ws]) => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(ws as tf.Tensor2D)),
        tf.matMul(tf.transpose(xs as tf.Tensor2D), dy as tf.Tensor2D),
      ],
    };
  })(a, b) as tf.Tensor2D;
}
