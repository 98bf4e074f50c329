import * as tf from '@tensorflow/tfjs-core';

/**
 * What lgpt's webgpu kernels need of tfjs-backend-webgpu's program interface (its `WebGPUProgram`,
 * kept structural so @lgpt/core does not import the optional backend). The backend declares the
 * inputs as storage arrays named by `variableNames`, the uniforms (`size`: the output's element
 * count; `uniforms`: extra fields), the output helper `setOutputAtIndex`, and calls the user code's
 * `fn main(index : i32)` with the flat invocation index, the builtins `localId` and `workgroupId`
 * in scope.
 */
export interface WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms?: string;
  getUserCode(): string;
}

export interface WebGPUBackendLike {
  runWebGPUProgram(
    program: WebGPUProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

/**
 * 128 invocations a workgroup: WebGPU's compatibility mode (Dawn on OpenGL) allows no more
 * (`maxComputeInvocationsPerWorkgroup`), core mode 256.
 */
export const WORKGROUP = 128;

/**
 * The most workgroups a kernel here dispatches: one dispatch axis's limit. Past it (more than 65535
 * LayerNorm rows, 8.4M GELU elements) the composite runs, its many dispatches then cheap beside
 * the work.
 */
export const MAX_WORKGROUPS = 65535;

/** Whether a kernel of `workgroups` workgroups (of `WORKGROUP` invocations) runs on this backend. */
export function withinDispatch(workgroups: number): boolean {
  return tf.getBackend() !== 'webgpu' || workgroups <= MAX_WORKGROUPS;
}

/** `float32` literal for WGSL: JS prints the shortest round-trip decimal of the double. */
export function f32(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
