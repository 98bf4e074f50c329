import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from './custom-grad.js';
import { GELU_TANH, GELU_TANH_GRAD } from './kernels/names.js';
import { WORKGROUP, withinDispatch } from './kernels/webgpu/program.js';
import { runsLgptKernel, runsValueKernel } from './ops/gemm.js';

/** √(2/π), the constant of the tanh approximation of GELU. */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

/** `2u` for the tanh approximation's `u = √(2/π)(x + 0.044715x³)`. */
function twiceInner(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.add(tf.mul(tf.square(x), 2 * SQRT_2_OVER_PI * CUBIC), 2 * SQRT_2_OVER_PI));
}

/**
 * GELU with the tanh approximation (GPT-2's `gelu_new`, PyTorch's `approximate='tanh'`):
 * `½x(1 + tanh u)`, computed as the identical `x·σ(2u)` because tfjs-wasm's sigmoid is vectorised
 * (XNNPACK) and its tanh is not (~15× slower). The gradient is written out
 * (`σ(2u) + x·σ'(2u)·d(2u)/dx`) from the saved input, so autodiff records one node, not eight.
 * On wasm and webgpu the value and the gradient are one kernel each (gemm.wat's `gelu_tanh`,
 * kernels/webgpu/gelu.ts), where the ops take six and twelve.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const run = (name: string, inputs: Record<string, tf.Tensor>) =>
    tf.engine().runKernel(name, inputs) as tf.Tensor;
  const fits = withinDispatch(Math.ceil(x.size / WORKGROUP));
  if (fits && runsValueKernel(GELU_TANH, [x])) return run(GELU_TANH, { x });
  const kernel = fits && runsLgptKernel(GELU_TANH, [x]);
  return customGrad(([input], save) => {
    save([input]);
    return {
      value: kernel
        ? run(GELU_TANH, { x: input })
        : tf.tidy(() => tf.mul(input, tf.sigmoid(twiceInner(input)))),
      gradFunc: (dy, [xs]) => [
        kernel && runsLgptKernel(GELU_TANH_GRAD, [xs, dy])
          ? run(GELU_TANH_GRAD, { x: xs, dy })
          : tf.tidy(() => {
              const s = tf.sigmoid(twiceInner(xs));
              const slope = tf.add(
                tf.mul(tf.square(xs), 6 * SQRT_2_OVER_PI * CUBIC),
                2 * SQRT_2_OVER_PI,
              );
              const ds = tf.mul(tf.mul(s, tf.sub(1, s)), tf.mul(xs, slope));
              return tf.mul(dy, tf.add(s, ds));
            }),
      ],
    };
  })(x);
}

/** SiLU (swish): x·σ(x), written out because tfjs-core 4.22 has no silu op. */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** Exact GELU (PyTorch's `F.gelu`, `nn.GELU()`): x·Φ(x) = ½x(1 + erf(x/√2)). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/**
 * Activations by their Hugging Face names (`ACT2FN`), as `activation_function` in `config.json`
 * names them.
 */
export const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  gelu: geluErf,
  quick_gelu: (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)))),
  relu: (x) => tf.relu(x),
  silu,
  swish: silu,
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  linear: (x) => x,
};

/** The activation `activation_function` names, or an error listing the supported names. */
export function activation(name: string): (x: tf.Tensor) => tf.Tensor {
  const fn = ACTIVATIONS[name];
  if (!fn) {
    throw new Error(
      `activation_function '${name}' is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`,
    );
  }
  return fn;
}
