/**
 * The package's only side effect: registers the fused B-spline kernels with tfjs-core's kernel
 * registry (cpu, wasm, webgpu) and their gradient. Importing `@lgpt/kan` runs it; nothing here
 * imports a backend, so registering for a backend that is never loaded costs nothing.
 */
import {
  getGradient,
  getKernel,
  type KernelConfig,
  registerGradient,
  registerKernel,
} from '@tensorflow/tfjs-core';
import { bSplineBasisGradConfig } from './grads/b-spline-basis.js';
import { bSplineBasisCpu, bSplineBasisGradCpu } from './kernels/cpu/b-spline-basis.js';
import { bSplineBasisGradWasm, bSplineBasisWasm } from './kernels/wasm/b-spline-basis.js';
import { bSplineBasisGradWebGPU, bSplineBasisWebGPU } from './kernels/webgpu/b-spline-basis.js';

const kernels: KernelConfig[] = [
  bSplineBasisCpu,
  bSplineBasisGradCpu,
  bSplineBasisWasm,
  bSplineBasisGradWasm,
  bSplineBasisWebGPU,
  bSplineBasisGradWebGPU,
];

// Guarded: a second copy of the package (ESM and CJS both loaded) must not re-register (tfjs warns).
for (const config of kernels) {
  if (getKernel(config.kernelName, config.backendName) === undefined) registerKernel(config);
}
if (getGradient(bSplineBasisGradConfig.kernelName) === undefined) {
  registerGradient(bSplineBasisGradConfig);
}
