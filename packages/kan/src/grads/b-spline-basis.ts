import type { GradConfig, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { B_SPLINE_BASIS, type BSplineBasisAttrs } from '../kernels/names.js';
import { bSplineBasisGrad } from '../ops/b-spline-basis.js';

/** Backward pass of the fused basis kernel: the fused gradient kernel when there is one. */
export const bSplineBasisGradConfig: GradConfig = {
  kernelName: B_SPLINE_BASIS,
  inputsToSave: ['x', 'grid'],
  gradFunc: (dy, saved, attrs) => {
    const [x, grid] = saved as [Tensor2D, Tensor2D];
    const { splineOrder, layout } = attrs as BSplineBasisAttrs;
    return {
      x: () => bSplineBasisGrad(x, grid, dy as Tensor3D, splineOrder, { layout }),
      grid: (): Tensor => {
        throw new Error(
          'bSplineBasis: no gradient w.r.t. the grid (a buffer in efficient-kan); pass it as a non-trainable tensor',
        );
      },
    };
  },
};
