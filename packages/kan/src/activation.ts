import { geluErf, silu } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/** A named activation (the `torch.nn` class efficient-kan would be given) or any tensor function. */
export type Activation =
  | 'silu'
  | 'gelu'
  | 'relu'
  | 'tanh'
  | 'identity'
  | ((x: tf.Tensor) => tf.Tensor);

const NAMED: Record<
  Exclude<Activation, (x: tf.Tensor) => tf.Tensor>,
  (x: tf.Tensor) => tf.Tensor
> = {
  silu,
  // nn.GELU's default is the exact erf form.
  gelu: geluErf,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  identity: (x) => x,
};

export function resolveActivation(activation: Activation): (x: tf.Tensor) => tf.Tensor {
  if (typeof activation === 'function') return activation;
  const fn = NAMED[activation];
  if (!fn) {
    throw new Error(
      `unknown baseActivation '${activation}' (expected ${Object.keys(NAMED).join(', ')} or a function)`,
    );
  }
  return fn;
}
