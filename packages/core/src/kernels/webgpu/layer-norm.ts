import type * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM, type LayerNormAttrs } from '../names.js';
import { type WebGPUBackendLike, type WebGPUProgram, WORKGROUP } from './program.js';

/**
 * LayerNorm's value on webgpu: one workgroup a row, one dispatch where the composite takes nine
 * (small inputs pay per dispatch: a `[1, 32]` GPT-2 forward was 522 of them). Same steps as
 * layer-norm.ts's composite: the mean, then the mean of the squared deviations, `inverseSqrt`
 * (tfjs's Rsqrt), `(x − mean)·rstd·weight + bias`; sums are reduced in a tree, so they differ from
 * tfjs's Mean in the last bits.
 */
function layerNormProgram(shape: number[], rows: number): WebGPUProgram {
  return {
    variableNames: ['x', 'weight', 'bias'],
    outputShape: shape,
    shaderKey: 'lgpt_layer_norm',
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [rows, 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: 'cols : i32, eps : f32,',
    getUserCode: () => `
      var<workgroup> partial : array<f32, ${WORKGROUP}>;

      // The sum of every invocation's v. Every invocation calls it (barriers are uniform).
      fn workgroupSum(v : f32) -> f32 {
        partial[localId.x] = v;
        workgroupBarrier();
        for (var half = ${WORKGROUP / 2}u; half > 0u; half = half >> 1u) {
          if (localId.x < half) {
            partial[localId.x] = partial[localId.x] + partial[localId.x + half];
          }
          workgroupBarrier();
        }
        let total = partial[0];
        workgroupBarrier();
        return total;
      }

      fn main(index : i32) {
        let cols = uniforms.cols;
        let base = i32(workgroupId.x) * cols;
        var sum = 0.0;
        for (var c = i32(localId.x); c < cols; c = c + ${WORKGROUP}) {
          sum = sum + x[base + c];
        }
        let mean = workgroupSum(sum) / f32(cols);
        var squares = 0.0;
        for (var c = i32(localId.x); c < cols; c = c + ${WORKGROUP}) {
          let d = x[base + c] - mean;
          squares = squares + d * d;
        }
        let rstd = inverseSqrt(workgroupSum(squares) / f32(cols) + uniforms.eps);
        for (var c = i32(localId.x); c < cols; c = c + ${WORKGROUP}) {
          setOutputAtIndex(base + c, (x[base + c] - mean) * rstd * weight[c] + bias[c]);
        }
      }
    `,
  };
}

function layerNormWebGPU({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo };
  backend: WebGPUBackendLike;
  attrs: LayerNormAttrs;
}): tf.TensorInfo {
  const { x, weight, bias } = inputs;
  const cols = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((n, d) => n * d, 1);
  return backend.runWebGPUProgram(layerNormProgram(x.shape, rows), [x, weight, bias], 'float32', [
    { type: 'int32', data: [cols] },
    { type: 'float32', data: [attrs.eps] },
  ]);
}

export const layerNormWebGPUConfig: tf.KernelConfig = {
  kernelName: LAYER_NORM,
  backendName: 'webgpu',
  kernelFunc: layerNormWebGPU as unknown as tf.KernelFunc,
};
