import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import { fillBases, fillBasisGrad } from '../b-spline-js.js';
import {
  B_SPLINE_BASIS,
  B_SPLINE_BASIS_GRAD,
  type BSplineBasisAttrs,
  basisShape,
} from '../names.js';

// The cpu backend keeps each tensor's values in a JS typed array, so the kernel is a plain loop.
function values(backend: MathBackendCPU, t: TensorInfo): TypedArray {
  return backend.data.get(t.dataId)!.values as TypedArray;
}

export const bSplineBasisCpu: KernelConfig = {
  kernelName: B_SPLINE_BASIS,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const cpu = backend as MathBackendCPU;
    const { x, grid } = inputs as { x: TensorInfo; grid: TensorInfo };
    const { splineOrder, layout } = attrs as BSplineBasisAttrs;
    const shape = basisShape(x.shape, grid.shape, splineOrder, layout);
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const knots = { knots: values(cpu, grid), numKnots: grid.shape[1] };
    fillBases(values(cpu, x), x.shape[0], knots, splineOrder, layout === 'features', out);
    return cpu.makeTensorInfo(shape, 'float32', out);
  },
};

export const bSplineBasisGradCpu: KernelConfig = {
  kernelName: B_SPLINE_BASIS_GRAD,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const cpu = backend as MathBackendCPU;
    const { x, grid, dy } = inputs as { x: TensorInfo; grid: TensorInfo; dy: TensorInfo };
    const { splineOrder, layout } = attrs as BSplineBasisAttrs;
    const dx = new Float32Array(x.shape[0] * x.shape[1]);
    const knots = { knots: values(cpu, grid), numKnots: grid.shape[1] };
    fillBasisGrad(
      values(cpu, x),
      x.shape[0],
      knots,
      splineOrder,
      values(cpu, dy),
      layout === 'features',
      dx,
    );
    return cpu.makeTensorInfo(x.shape, 'float32', dx);
  },
};
