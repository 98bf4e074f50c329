import type * as tf from '@tensorflow/tfjs-core';
import { GELU_TANH, GELU_TANH_GRAD } from '../names.js';
import { f32, type WebGPUBackendLike, type WebGPUProgram, WORKGROUP } from './program.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

/**
 * activations.ts's composite, step for step, in one dispatch (it takes six, its gradient twelve):
 * `x·σ(2u)` with `2u = x·(x²·2kc + 2k)`, σ as tfjs's Sigmoid (`1 / (1 + exp(−a))`); the gradient
 * `dy·(s + s(1 − s)·x·(x²·6kc + 2k))`.
 */
const GELU = `
  fn sigmoid(a : f32) -> f32 { return 1.0 / (1.0 + exp(-1.0 * a)); }
  fn twiceInner(v : f32) -> f32 { return v * (v * v * ${f32(2 * SQRT_2_OVER_PI * CUBIC)} + ${f32(2 * SQRT_2_OVER_PI)}); }
`;
const VALUE = 'x[index] * sigmoid(twiceInner(x[index]))';
const GRADIENT = `gradient(x[index], dy[index])`;
const GRADIENT_FN = `
  fn gradient(v : f32, d : f32) -> f32 {
    let s = sigmoid(twiceInner(v));
    let slope = v * v * ${f32(6 * SQRT_2_OVER_PI * CUBIC)} + ${f32(2 * SQRT_2_OVER_PI)};
    return d * (s + s * (1.0 - s) * (v * slope));
  }
`;

function geluProgram(shape: number[], withGradient: boolean): WebGPUProgram {
  const count = shape.reduce((n, d) => n * d, 1);
  return {
    variableNames: withGradient ? ['x', 'dy'] : ['x'],
    outputShape: shape,
    shaderKey: withGradient ? 'lgpt_gelu_tanh_grad' : 'lgpt_gelu_tanh',
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(count / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => `
      ${GELU}
      ${withGradient ? GRADIENT_FN : ''}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, ${withGradient ? GRADIENT : VALUE});
        }
      }
    `,
  };
}

type GeluKernelArgs = {
  inputs: { x: tf.TensorInfo; dy?: tf.TensorInfo };
  backend: WebGPUBackendLike;
};

/** GELU of `x`, or given `dy` (GELU_TANH_GRAD's second input) the gradient of its input. */
function geluWebGPU({ inputs: { x, dy }, backend }: GeluKernelArgs): tf.TensorInfo {
  const program = geluProgram(x.shape, dy !== undefined);
  return backend.runWebGPUProgram(program, dy ? [x, dy] : [x], 'float32');
}

export const geluTanhWebGPUConfig: tf.KernelConfig = {
  kernelName: GELU_TANH,
  backendName: 'webgpu',
  kernelFunc: geluWebGPU as unknown as tf.KernelFunc,
};

export const geluTanhGradWebGPUConfig: tf.KernelConfig = {
  kernelName: GELU_TANH_GRAD,
  backendName: 'webgpu',
  kernelFunc: geluWebGPU as unknown as tf.KernelFunc,
};
