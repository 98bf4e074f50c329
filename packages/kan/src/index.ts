import './register.js';

export { type Activation, resolveActivation } from './activation.js';
export { ChebyKANLayer, type ChebyKANLayerOptions } from './cheby-kan.js';
export { FastKANLayer, type FastKANLayerOptions } from './fast-kan.js';
export { KAN, type KANForwardOptions, type KANOptions } from './kan.js';
export { KANLinear, type KANLinearOptions } from './kan-linear.js';
export { B_SPLINE_BASIS, B_SPLINE_BASIS_GRAD, type BasisLayout } from './kernels/names.js';
export {
  type BSplineBasisOptions,
  bSplineBasis,
  bSplineBasisGrad,
  hasFusedKernel,
} from './ops/b-spline-basis.js';
export {
  bSplineBasisComposite,
  bSplineBasisGradComposite,
} from './ops/b-spline-basis-composite.js';
export { type SplineLinearArgs, splineLinear } from './ops/spline-linear.js';
export { splineRegularizationLoss } from './regularization.js';
