import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { fillBases, fillBasisGrad } from '../b-spline-js.js';
import {
  B_SPLINE_BASIS,
  B_SPLINE_BASIS_GRAD,
  type BSplineBasisAttrs,
  basisShape,
} from '../names.js';

/**
 * The wasm backend's tensors live in its WebAssembly heap; the kernel reads and writes them there
 * through typed-array views, with no copy. The loop is JavaScript (shipping compiled code is not
 * worth it for a memory-bound op): one pass instead of the composite's ~30 heap round trips.
 * Views are taken after `makeOutput`, whose allocation may grow (and so detach) the heap.
 */
export const bSplineBasisWasm: KernelConfig = {
  kernelName: B_SPLINE_BASIS,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, grid } = inputs as { x: TensorInfo; grid: TensorInfo };
    const { splineOrder, layout } = attrs as BSplineBasisAttrs;
    const out = wasm.makeOutput(basisShape(x.shape, grid.shape, splineOrder, layout), 'float32');
    const knots = { knots: wasm.typedArrayFromHeap(grid), numKnots: grid.shape[1] };
    const outValues = wasm.typedArrayFromHeap(out) as Float32Array;
    fillBases(
      wasm.typedArrayFromHeap(x),
      x.shape[0],
      knots,
      splineOrder,
      layout === 'features',
      outValues,
    );
    return out;
  },
};

export const bSplineBasisGradWasm: KernelConfig = {
  kernelName: B_SPLINE_BASIS_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, grid, dy } = inputs as { x: TensorInfo; grid: TensorInfo; dy: TensorInfo };
    const { splineOrder, layout } = attrs as BSplineBasisAttrs;
    const dx = wasm.makeOutput(x.shape, 'float32');
    const knots = { knots: wasm.typedArrayFromHeap(grid), numKnots: grid.shape[1] };
    fillBasisGrad(
      wasm.typedArrayFromHeap(x),
      x.shape[0],
      knots,
      splineOrder,
      wasm.typedArrayFromHeap(dy),
      layout === 'features',
      wasm.typedArrayFromHeap(dx) as Float32Array,
    );
    return dx;
  },
};
