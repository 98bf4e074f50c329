import type { KAN, KANLinear } from '@lgpt/kan';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A KANLinear's output is a sum over its edges: `y_o = Σ_i φ_{o,i}(x_i)` with
 * `φ_{o,i}(t) = base_weight[o,i]·silu(t) + Σ_c scaled_spline_weight[o,i,c]·B_c(t)`.
 * Returns every edge's value at every row of `x` `[n, in]` as `[in, n, out]`.
 */
export function edgeActivations(layer: KANLinear, x: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const bases = tf.transpose(layer.bSplines(x), [1, 0, 2]); // [in, n, coeffs]
    const coefficients = tf.transpose(layer.scaledSplineWeight(), [1, 2, 0]); // [in, coeffs, out]
    const spline = tf.matMul(bases, coefficients); // [in, n, out]
    const base = tf.mul(
      tf.expandDims(tf.transpose(layer.weightInput(x)), 2), // [in, n, 1]
      tf.expandDims(tf.transpose(layer.baseWeight), 1), // [in, 1, out]
    );
    return tf.add(spline, base) as tf.Tensor3D;
  });
}

/** One edge's learned activation, sampled over the inputs that reach it. */
export interface EdgeCurve {
  layer: number;
  from: number;
  to: number;
  xs: number[];
  ys: number[];
  /** Mean |φ| over the training data, relative to the layer's largest (the KAN paper's edge score). */
  importance: number;
}

export interface LayerInputs {
  /** The activations entering each layer on the training data: `[n, in]` per layer. */
  inputs: tf.Tensor2D[];
  dispose(): void;
}

/** Runs the training data through the stack, keeping what enters each layer. */
export function layerInputs(kan: KAN, x: tf.Tensor2D): LayerInputs {
  const inputs: tf.Tensor2D[] = [x];
  const layers = [...kan.layers];
  for (const layer of layers.slice(0, -1)) {
    inputs.push(layer.forward(inputs[inputs.length - 1]) as tf.Tensor2D);
  }
  return { inputs, dispose: () => tf.dispose(inputs.slice(1)) };
}

/** Every edge's curve over the range its input takes on the data, `points` samples each. */
export async function edgeCurves(kan: KAN, data: LayerInputs, points = 120): Promise<EdgeCurve[]> {
  const curves: EdgeCurve[] = [];
  const layers = [...kan.layers];
  for (const [l, layer] of layers.entries()) {
    const input = data.inputs[l];
    // Each column runs from that input's smallest to its largest value on the data.
    const grid = tf.tidy(() => {
      const lo = tf.min(input, 0, true);
      const steps = tf.reshape(tf.linspace(0, 1, points), [points, 1]);
      return tf.add(lo, tf.mul(steps, tf.sub(tf.max(input, 0, true), lo)));
    }) as tf.Tensor2D;
    const values = await readAndFree(edgeActivations(layer, grid));
    const xs = await readAndFree(grid);
    const scores = await readAndFree(
      tf.tidy(() => tf.mean(tf.abs(edgeActivations(layer, input)), 1)),
    );
    const top = Math.max(...scores);
    for (let i = 0; i < layer.inFeatures; i++) {
      for (let o = 0; o < layer.outFeatures; o++) {
        curves.push({
          layer: l,
          from: i,
          to: o,
          xs: Array.from({ length: points }, (_, n) => xs[n * layer.inFeatures + i]),
          ys: Array.from(
            { length: points },
            (_, n) => values[(i * points + n) * layer.outFeatures + o],
          ),
          importance: top > 0 ? scores[i * layer.outFeatures + o] / top : 0,
        });
      }
    }
  }
  return curves;
}

/**
 * The largest |Σ_i φ_{o,i}(x_i) − layer(x)_o| over the data and every layer: how faithfully the
 * drawn curves describe the network (float rounding only).
 */
export async function decompositionError(kan: KAN, data: LayerInputs): Promise<number> {
  let worst = 0;
  for (const [l, layer] of [...kan.layers].entries()) {
    const input = data.inputs[l];
    const gap = tf.tidy(() =>
      tf.max(tf.abs(tf.sub(tf.sum(edgeActivations(layer, input), 0), layer.forward(input)))),
    );
    worst = Math.max(worst, (await readAndFree(gap))[0]);
  }
  return worst;
}

async function readAndFree(t: tf.Tensor): Promise<Float32Array> {
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}
