import { applyDropoutMask, batchMatMul, customGrad, linearProducts } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

export interface FusedLoraWeights {
  /** The base weight: `[out, in]`, or `[in, out]` with `fanInFanOut`. */
  weight: tf.Tensor;
  bias: tf.Tensor | null;
  fanInFanOut: boolean;
  /** `[r, in]` */
  loraA: tf.Tensor;
  /** `[out, r]` */
  loraB: tf.Tensor;
  loraBBias: tf.Tensor | null;
  scaling: number;
  /** The LoRA input's dropout: its keep mask (shaped like `x`) and probability; null for none. */
  dropout: { mask: tf.Tensor; p: number } | null;
}

/**
 * `x·W + b + scaling·(B(A(dropout(x))) + lora_B.bias)` over any leading shape, as one custom op,
 * for a plain `Linear` / `Conv1D` base (what LoRA usually wraps). Autodiff of the composite keeps
 * every intermediate of the layer — the base output, `B·A·x` before and after scaling, their sum,
 * a float32 dropout mask and the dropped input — while this backward needs only the input, the
 * rank-r `A·x` and the 1-byte mask. The rank-r products are `batchMatMul`s, with every product
 * having its long side (the rows of `x`, or a weight's in/out side) as its rows: lgpt's GEMM on
 * wasm (transposes read in place, every thread), else the backend's matMul. `scaling` is applied
 * to the small `B` rather than to `[rows, out]`, and only trainable variables get gradients (the
 * frozen base weight gets none).
 */
export function fusedLoraLinear(x: tf.Tensor, w: FusedLoraWeights): tf.Tensor {
  const { weight, bias, fanInFanOut, loraA, loraB, loraBBias, scaling, dropout } = w;
  const base = weight as tf.Tensor2D;
  const [rows, cols] = base.shape;
  const [inFeatures, outFeatures] = fanInFanOut ? [rows, cols] : [cols, rows];
  const trainable = {
    weight: isTrainable(weight),
    bias: bias !== null && isTrainable(bias),
    loraA: isTrainable(loraA),
    loraB: isTrainable(loraB),
    loraBBias: loraBBias !== null && isTrainable(loraBBias),
  };
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  const mask = dropout ? tf.reshape(dropout.mask, [-1, inFeatures]) : null;
  // The reshapes happen inside, so autodiff records (and keeps a gradient for) one node.
  const inputs = [x];
  if (trainable.weight) inputs.push(weight);
  if (trainable.bias) inputs.push(bias!);
  if (trainable.loraA) inputs.push(loraA);
  if (trainable.loraB) inputs.push(loraB);
  if (trainable.loraBBias) inputs.push(loraBBias!);

  // What the backward pass reads: the input for the weight gradients, `A·x` for B's.
  const keepInput = trainable.weight || trainable.loraA;
  const keepDown = trainable.loraB;
  const dropped = (t: tf.Tensor, keep: tf.Tensor | undefined) =>
    keep && dropout ? applyDropoutMask(t, keep, dropout.p) : t;
  const scaledB = () => tf.mul(loraB, scaling);

  return customGrad(([input], save) => {
    const xi = tf.reshape(input, [-1, inFeatures]) as tf.Tensor2D;
    const down = batchMatMul(dropped(xi, mask ?? undefined), loraA, false, true);
    save([...(keepInput ? [xi] : []), ...(keepDown ? [down] : []), ...(mask ? [mask] : [])]);
    const value = tf.tidy(() => {
      let out = linearProducts.forward(xi, base, fanInFanOut);
      out = tf.add(out, batchMatMul(down, scaledB(), false, true));
      if (bias) out = tf.add(out, bias);
      if (loraBBias) out = tf.add(out, tf.mul(loraBBias, scaling));
      return tf.reshape(out, outShape);
    });
    return {
      value,
      gradFunc: (dy, saved) => {
        const rest = [...saved];
        const xs = keepInput ? rest.shift() : undefined;
        const dn = keepDown ? rest.shift() : undefined;
        const keep = rest.shift();
        const d = tf.reshape(dy, [-1, outFeatures]) as tf.Tensor2D;
        const dDown = batchMatMul(d, scaledB()); // [rows, r]
        const dx = tf.add(
          linearProducts.inputGrad(d, base, fanInFanOut),
          dropped(batchMatMul(dDown, loraA), keep),
        );
        const grads = [tf.reshape(dx, x.shape)];
        if (trainable.weight) {
          grads.push(linearProducts.weightGrad(d, xs as tf.Tensor2D, base, fanInFanOut));
        }
        if (trainable.bias) grads.push(tf.sum(d, 0));
        // The rank-r gradients put the big matrix first, so the product's rows are many (a
        // 16-row product would be XNNPACK's, which repacks all of the other operand).
        // dA = dDownᵀ·xd = (xdᵀ·dDown)ᵀ
        if (trainable.loraA) {
          grads.push(tf.transpose(batchMatMul(dropped(xs!, keep), dDown, true, false)));
        }
        // dB = scaling · dyᵀ·down
        if (trainable.loraB) grads.push(tf.mul(batchMatMul(d, dn!, true, false), scaling));
        if (trainable.loraBBias) grads.push(tf.mul(tf.sum(d, 0), scaling));
        return grads;
      },
    };
  })(...inputs);
}

function isTrainable(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && t.trainable;
}
