import { linear } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

export interface LoraWeights {
  /** `[r, in]` (PEFT's `lora_A.weight`). */
  loraA: tf.Tensor;
  /** `[out, r]` (PEFT's `lora_B.weight`). */
  loraB: tf.Tensor;
  /** `[out]`, PEFT's `lora_B.bias` when `lora_bias` is set. */
  loraBBias?: tf.Tensor | null;
  scaling: number;
}

export interface LoraLinearWeights extends LoraWeights {
  /** The frozen base weight: `[out, in]`, or `[in, out]` with `fanInFanOut`. */
  weight: tf.Tensor;
  bias?: tf.Tensor | null;
  fanInFanOut?: boolean;
  /** Applied to the LoRA path's input only (e.g. `(x) => dropout(x, 0.1)`). */
  dropout?: (x: tf.Tensor) => tf.Tensor;
}

/**
 * The LoRA update `scaling · B(A(x))` over any leading shape. Both products go through
 * `@lgpt/core`'s `linear`, whose gradient uses explicit transposes (fast on wasm) and computes
 * weight gradients only for trainable variables.
 */
export function loraDelta(x: tf.Tensor, w: LoraWeights): tf.Tensor {
  return tf.tidy(() => {
    const down = linear(x, w.loraA, null, false);
    const up = linear(down, w.loraB, w.loraBBias ?? null, false);
    return tf.mul(up, w.scaling);
  });
}

/**
 * `y = x·Wᵀ + b + scaling · B(A(dropout(x)))` for plain tfjs code: pass the frozen base weight
 * (a tensor, or a variable with `trainable: false`, gets no gradient) and the trainable LoRA
 * matrices in PEFT's shapes.
 */
export function loraLinear(x: tf.Tensor, w: LoraLinearWeights): tf.Tensor {
  const fanInFanOut = w.fanInFanOut ?? false;
  const [rows, cols] = w.weight.shape;
  const [inFeatures, outFeatures] = fanInFanOut ? [rows, cols] : [cols, rows];
  const [r, aIn] = w.loraA.shape;
  const [bOut, bR] = w.loraB.shape;
  if (aIn !== inFeatures || bOut !== outFeatures || bR !== r) {
    throw new Error(
      `loraLinear: loraA [${w.loraA.shape}] and loraB [${w.loraB.shape}] do not fit weight [${w.weight.shape}] (fanInFanOut ${fanInFanOut}); expected loraA [r, ${inFeatures}] and loraB [${outFeatures}, r]`,
    );
  }
  return tf.tidy(() => {
    const base = linear(x, w.weight, w.bias ?? null, fanInFanOut);
    const loraInput = w.dropout ? w.dropout(x) : x;
    return tf.add(base, loraDelta(loraInput, w));
  });
}

/** `scaling · (B·A)` in the base weight's layout (transposed to `[in, out]` with `fanInFanOut`). */
export function loraDeltaWeight(
  loraA: tf.Tensor,
  loraB: tf.Tensor,
  scaling: number,
  fanInFanOut: boolean,
): tf.Tensor {
  return tf.tidy(() => {
    const product = tf.mul(tf.matMul(loraB as tf.Tensor2D, loraA as tf.Tensor2D), scaling);
    return fanInFanOut ? tf.transpose(product) : product;
  });
}
