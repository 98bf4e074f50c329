import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from './custom-grad.js';
import { LAYER_NORM, type LayerNormAttrs } from './kernels/names.js';
import { withinDispatch } from './kernels/webgpu/program.js';
import { Module, type Parameter } from './module.js';
import { runsValueKernel } from './ops/gemm.js';

/**
 * Layer normalisation over the last axis with PyTorch's semantics (biased variance, `eps` inside
 * the square root). The backward is written out so autodiff records one node instead of a dozen,
 * and a frozen weight or bias (anything but a trainable variable) gets no gradient computed.
 * Outside gradient computation on wasm and webgpu, the value is one kernel (gemm.wat's
 * `layer_norm`; kernels/webgpu/layer-norm.ts).
 */
export function layerNorm(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
  eps: number,
): tf.Tensor {
  if (runsKernel(x, weight, bias)) {
    const attrs: LayerNormAttrs = { eps };
    return tf.engine().runKernel(LAYER_NORM, { x, weight, bias }, attrs) as tf.Tensor;
  }
  const axis = x.rank - 1;
  const weightTrainable = isTrainable(weight);
  const biasTrainable = isTrainable(bias);
  const inputs = [x];
  if (weightTrainable) inputs.push(weight);
  if (biasTrainable) inputs.push(bias);
  return customGrad(([xi], save) => {
    const mean = tf.mean(xi, axis, true);
    const centered = tf.sub(xi, mean);
    const variance = tf.mean(tf.square(centered), axis, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const normed = tf.mul(centered, rstd);
    save([normed, rstd]);
    return {
      value: tf.add(tf.mul(normed, weight), bias),
      gradFunc: (dy, [xHat, r]) => {
        const leading = [...Array(axis).keys()];
        const dNormed = tf.mul(dy, weight);
        const meanD = tf.mean(dNormed, axis, true);
        const meanDx = tf.mean(tf.mul(dNormed, xHat), axis, true);
        const grads = [tf.mul(r, tf.sub(tf.sub(dNormed, meanD), tf.mul(xHat, meanDx)))];
        if (weightTrainable) grads.push(tf.sum(tf.mul(dy, xHat), leading));
        if (biasTrainable) grads.push(tf.sum(dy, leading));
        return grads;
      },
    };
  })(...inputs);
}

/**
 * Whether the value comes from the backend's LayerNorm kernel (wasm, webgpu): outside
 * gradient computation (inference, generation), where nothing is saved for a backward pass, and
 * for a weight and bias over the last axis.
 */
function runsKernel(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): boolean {
  const cols = x.shape[x.rank - 1];
  return (
    weight.rank === 1 &&
    bias.rank === 1 &&
    weight.size === cols &&
    bias.size === cols &&
    withinDispatch(x.size / cols) &&
    runsValueKernel(LAYER_NORM, [x, weight, bias])
  );
}

function isTrainable(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && t.trainable;
}

/** PyTorch's `nn.LayerNorm(normalizedShape)` over the last axis (`weight` ones, `bias` zeros). */
export class LayerNorm extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(
    readonly normalizedShape: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.registerParameter('weight', tf.ones([normalizedShape]));
    this.bias = this.registerParameter('bias', tf.zeros([normalizedShape]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
