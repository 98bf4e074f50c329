import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import {
  B_SPLINE_BASIS,
  B_SPLINE_BASIS_GRAD,
  type BSplineBasisAttrs,
  basisShape,
} from '../names.js';
import { BSplineBasisGradProgram, BSplineBasisProgram } from './b-spline-program.js';

export const bSplineBasisWebGPU: KernelConfig = {
  kernelName: B_SPLINE_BASIS,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, grid } = inputs as { x: TensorInfo; grid: TensorInfo };
    const { splineOrder, layout } = attrs as BSplineBasisAttrs;
    const [rows, features] = x.shape;
    const shape = basisShape(x.shape, grid.shape, splineOrder, layout);
    const program = new BSplineBasisProgram(shape, rows, features, splineOrder, layout);
    return (backend as WebGPUBackend).runWebGPUProgram(program, [x, grid], 'float32');
  },
};

export const bSplineBasisGradWebGPU: KernelConfig = {
  kernelName: B_SPLINE_BASIS_GRAD,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, grid, dy } = inputs as { x: TensorInfo; grid: TensorInfo; dy: TensorInfo };
    const { splineOrder, layout } = attrs as BSplineBasisAttrs;
    const [rows, features] = x.shape;
    const program = new BSplineBasisGradProgram(rows, features, splineOrder, layout);
    return (backend as WebGPUBackend).runWebGPUProgram(program, [x, grid, dy], 'float32');
  },
};
