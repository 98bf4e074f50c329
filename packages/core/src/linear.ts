import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from './custom-grad.js';
import { kaimingUniform, normal, uniform } from './init.js';
import { Module, type Parameter } from './module.js';
import { linearProducts } from './ops/weight-matmul.js';
import type { Rng } from './rng.js';

/**
 * What an adapter (LoRA) needs to wrap a layer: its sizes, its weight and bias, and the weight's
 * layout. `fanInFanOut` is true when `weight` is `[in, out]` (GPT-2's Conv1D), false for `[out, in]`
 * (`nn.Linear`).
 */
export interface LinearLike extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly fanInFanOut: boolean;
  weight: Parameter;
  bias: Parameter | null;
  forward(x: tf.Tensor): tf.Tensor;
  /**
   * The tensor `weight` multiplies: `x` itself for a plain linear layer, `silu(x)` for a KAN's base
   * path. An adapter adds its update on this input so merging it into `weight` is exact.
   */
  weightInput?(x: tf.Tensor): tf.Tensor;
  /**
   * True when the layer's gradients never read its output's value (a plain linear layer; LoRA
   * without DoRA), so a pass recomputed only for gradients may leave its weight product out
   * (`withoutWeightProducts`).
   */
  readonly gradientsIgnoreOutput?: boolean;
}

export function isLinearLike(m: Module): m is LinearLike {
  const c = m as unknown as Partial<LinearLike>;
  return (
    typeof c.inFeatures === 'number' &&
    typeof c.outFeatures === 'number' &&
    typeof c.fanInFanOut === 'boolean' &&
    c.weight instanceof tf.Variable &&
    typeof c.forward === 'function'
  );
}

/**
 * `y = x·Wᵀ + b` (or `x·W + b` when `fanInFanOut`) over any leading shape.
 *
 * Forward and gradient use explicitly transposed operands because tfjs-wasm runs
 * `matMul(…, transposeA/B)` far slower than a plain matMul (DEVELOPERS.md, Performance) (a wide `[out, in]` weight is taken
 * in cache-sized blocks, see `weight-matmul.ts`); and a frozen weight (a variable with
 * `trainable: false`, or a plain tensor) is closed over rather than passed as an input, so no
 * weight gradient is computed for it at all.
 */
export function linear(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | null = null,
  fanInFanOut = false,
): tf.Tensor {
  const [rows, cols] = weight.shape as [number, number];
  const inFeatures = fanInFanOut ? rows : cols;
  const outFeatures = fanInFanOut ? cols : rows;
  if (x.shape[x.rank - 1] !== inFeatures) {
    throw new Error(
      `linear: input has ${x.shape[x.rank - 1]} features (shape [${x.shape}]) but the weight [${weight.shape}] expects ${inFeatures}`,
    );
  }
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  const w = weight as tf.Tensor2D;
  const weightTrainable = isTrainable(weight);
  const biasTrainable = bias !== null && isTrainable(bias);
  // Only trainable weights are inputs of the custom op; frozen ones are constants to it. The
  // reshapes happen inside, so autodiff records (and keeps a gradient for) one node, not three.
  const inputs = [x];
  if (weightTrainable) inputs.push(w);
  if (biasTrainable) inputs.push(bias!);

  return customGrad((args, save) => {
    const x2d = tf.reshape(args[0], [-1, inFeatures]) as tf.Tensor2D;
    // The input is needed only for the weight's gradient.
    if (weightTrainable) save([x2d]);
    const product = linearProducts.forward(x2d, w, fanInFanOut, bias);
    return {
      value: tf.reshape(product, outShape),
      gradFunc: (dy, [xs]) => {
        const d = tf.reshape(dy, [-1, outFeatures]) as tf.Tensor2D;
        const dx = linearProducts.inputGrad(d, w, fanInFanOut);
        const grads = [tf.reshape(dx, x.shape)];
        if (weightTrainable) {
          const x2 = xs as tf.Tensor2D;
          grads.push(linearProducts.weightGrad(d, x2, w, fanInFanOut));
        }
        if (biasTrainable) grads.push(tf.sum(d, 0));
        return grads;
      },
    };
  })(...inputs);
}

function isTrainable(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && t.trainable;
}

export interface LinearOptions {
  bias?: boolean;
  rng?: Rng;
}

/** PyTorch's `nn.Linear`: weight `[out, in]`, kaiming-uniform(a=√5) init, bias U(±1/√in). */
export class Linear extends Module implements LinearLike {
  readonly fanInFanOut = false;
  readonly gradientsIgnoreOutput = true;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      kaimingUniform([outFeatures, inFeatures], inFeatures, Math.sqrt(5), options.rng),
    );
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias =
      options.bias === false
        ? null
        : this.registerParameter('bias', uniform([outFeatures], -bound, bound, options.rng));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return linear(x, this.weight, this.bias, false);
  }
}

export interface Conv1DOptions {
  /** Std of the normal init (HF's `initializer_range`). Default 0.02. */
  initStd?: number;
  rng?: Rng;
}

/**
 * Hugging Face's GPT-2 `Conv1D`: a linear layer whose weight is stored `[in, out]`
 * (`y = x·W + b`), initialised N(0, initStd) with a zero bias.
 */
export class Conv1D extends Module implements LinearLike {
  readonly fanInFanOut = true;
  readonly gradientsIgnoreOutput = true;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: Conv1DOptions = {},
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      normal([inFeatures, outFeatures], 0, options.initStd ?? 0.02, options.rng),
    );
    this.bias = this.registerParameter('bias', tf.zeros([outFeatures]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return linear(x, this.weight, this.bias, true);
  }
}
