import {
  getDefaultRng,
  kaimingUniform,
  type LinearLike,
  linear,
  Module,
  type Parameter,
  type Rng,
} from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Activation, resolveActivation } from './activation.js';
import { adaptiveGrid, uniformGrid } from './grid.js';
import { bSplineBasis } from './ops/b-spline-basis.js';
import { splineLinear } from './ops/spline-linear.js';
import { splineRegularizationLoss } from './regularization.js';
import { changeOfBasis, fitCoefficients } from './spline-fit.js';

export interface KANLinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Number of grid intervals G. Default 5. */
  gridSize?: number;
  /** Spline order k (3 = cubic). Default 3. */
  splineOrder?: number;
  /** Scale of the random curves the spline weights are fitted to at init. Default 0.1. */
  scaleNoise?: number;
  /** Gain of the base weight's kaiming init (a = √5 · scaleBase). Default 1. */
  scaleBase?: number;
  /** Gain of the spline scaler's init (or a factor on the spline weights without one). Default 1. */
  scaleSpline?: number;
  /** Learn a per-edge `spline_scaler` [out, in]. Default true. */
  enableStandaloneScaleSpline?: boolean;
  /** Activation of the base path. Default `'silu'`. */
  baseActivation?: Activation;
  /** Weight of the uniform grid against the data quantiles in `updateGrid`. Default 0.02. */
  gridEps?: number;
  /** Initial grid span. Default [-1, 1]. */
  gridRange?: readonly [number, number];
  /** Use the fused B-spline kernel where the backend has one. Default true. */
  fused?: boolean;
  rng?: Rng;
}

/**
 * efficient-kan's `KANLinear`: `y = act(x)·base_weightᵀ + b_splines(x)·scaled_spline_weightᵀ`, with
 * its initialisation, state-dict names (`grid`, `base_weight`, `spline_weight`, `spline_scaler`)
 * and grid update, so its checkpoints load as they are.
 *
 * It is also a `LinearLike` for adapters: `weight` is the base weight `[out, in]` applied to
 * `weightInput(x) = act(x)`, so LoRA on it adapts the base path while the splines stay as they are.
 */
export class KANLinear extends Module implements LinearLike {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly fanInFanOut = false;
  readonly bias = null;
  readonly gridSize: number;
  readonly splineOrder: number;
  readonly scaleNoise: number;
  readonly scaleBase: number;
  readonly scaleSpline: number;
  readonly enableStandaloneScaleSpline: boolean;
  readonly gridEps: number;
  readonly gridRange: readonly [number, number];
  fused: boolean;
  readonly baseWeight: Parameter;
  readonly splineWeight: Parameter;
  readonly splineScaler: Parameter | null;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(options: KANLinearOptions) {
    super();
    this.inFeatures = checkSize('inFeatures', options.inFeatures);
    this.outFeatures = checkSize('outFeatures', options.outFeatures);
    this.gridSize = checkSize('gridSize', options.gridSize ?? 5);
    this.splineOrder = options.splineOrder ?? 3;
    if (!Number.isInteger(this.splineOrder) || this.splineOrder < 0) {
      throw new Error(`KANLinear: splineOrder must be an integer >= 0, got ${this.splineOrder}`);
    }
    this.scaleNoise = options.scaleNoise ?? 0.1;
    this.scaleBase = options.scaleBase ?? 1;
    this.scaleSpline = options.scaleSpline ?? 1;
    this.enableStandaloneScaleSpline = options.enableStandaloneScaleSpline ?? true;
    this.gridEps = options.gridEps ?? 0.02;
    this.gridRange = options.gridRange ?? [-1, 1];
    if (!(this.gridRange[1] > this.gridRange[0])) {
      throw new Error(
        `KANLinear: gridRange must be [low, high] with low < high, got [${this.gridRange}]`,
      );
    }
    this.fused = options.fused ?? true;
    this.activation = resolveActivation(options.baseActivation ?? 'silu');
    const rng = options.rng ?? getDefaultRng();

    const { inFeatures: inF, outFeatures: outF, gridSize: g, splineOrder: k } = this;
    const grid = uniformGrid(inF, g, k, this.gridRange);
    this.registerBuffer('grid', tf.tensor2d(grid, [inF, g + 2 * k + 1]));
    // Same draws in the same order as reset_parameters: base weight, noise, scaler.
    this.baseWeight = this.registerParameter(
      'base_weight',
      kaimingUniform([outF, inF], inF, Math.sqrt(5) * this.scaleBase, rng),
    );
    this.splineWeight = this.registerParameter(
      'spline_weight',
      this.initialSplineWeight(grid, rng),
    );
    this.splineScaler = this.enableStandaloneScaleSpline
      ? this.registerParameter(
          'spline_scaler',
          kaimingUniform([outF, inF], inF, Math.sqrt(5) * this.scaleSpline, rng),
        )
      : null;
  }

  /** The knots `[in, gridSize + 2·splineOrder + 1]` (a buffer, replaced by `updateGrid`). */
  get grid(): tf.Tensor2D {
    return this.getBuffer('grid') as tf.Tensor2D;
  }

  /** `LinearLike`: the base weight `[out, in]`. */
  get weight(): Parameter {
    return this.baseWeight;
  }

  /** `LinearLike`: what the base weight multiplies, `baseActivation(x)`. */
  weightInput(x: tf.Tensor): tf.Tensor {
    return this.activation(x);
  }

  /** `spline_weight · spline_scaler[..., None]` (or `spline_weight` without a scaler). */
  scaledSplineWeight(): tf.Tensor3D {
    return tf.tidy(() =>
      this.splineScaler
        ? tf.mul(this.splineWeight, tf.expandDims(this.splineScaler, -1))
        : tf.clone(this.splineWeight),
    ) as tf.Tensor3D;
  }

  /** `[..., in]` → `[..., out]`. Never forms a `[rows, in, out]` tensor. */
  forward(x: tf.Tensor): tf.Tensor {
    this.checkInput('forward', x);
    return tf.tidy(() => {
      const float = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
      const x2d = tf.reshape(float, [-1, this.inFeatures]) as tf.Tensor2D;
      const base = linear(this.activation(x2d), this.baseWeight);
      const spline = splineLinear({
        x: x2d,
        grid: this.grid,
        splineWeight: this.splineWeight,
        splineScaler: this.splineScaler,
        splineOrder: this.splineOrder,
        fused: this.fused,
      });
      return tf.reshape(tf.add(base, spline), [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }

  /** efficient-kan's `b_splines(x)`: `[..., in]` → `[..., in, gridSize + splineOrder]`. */
  bSplines(x: tf.Tensor): tf.Tensor {
    this.checkInput('bSplines', x);
    return bSplineBasis(x, this.grid, this.splineOrder, { fused: this.fused });
  }

  /**
   * efficient-kan's `curve2coeff(x, y)`: the spline coefficients `[out, in, coeffs]` whose curves
   * best fit `y` `[rows, in, out]` at `x` `[rows, in]` on the current grid (least squares per
   * input feature, in float64: see `lstsq.ts`). Async because it reads the tensors.
   */
  async curve2coeff(x: tf.Tensor, y: tf.Tensor): Promise<tf.Tensor3D> {
    const rows = this.checkBatch('curve2coeff', x);
    if (
      y.rank !== 3 ||
      y.shape[0] !== rows ||
      y.shape[1] !== this.inFeatures ||
      y.shape[2] !== this.outFeatures
    ) {
      throw new Error(
        `KANLinear.curve2coeff: y must be [${rows}, ${this.inFeatures}, ${this.outFeatures}] for x [${x.shape}], got [${y.shape}]`,
      );
    }
    const [xs, ys, knots] = await Promise.all([x.data(), y.data(), this.grid.data()]);
    assertFinite('curve2coeff', xs);
    const grid = { knots, numKnots: this.grid.shape[1] };
    const coeffs = fitCoefficients(xs, rows, grid, this.splineOrder, ys, this.outFeatures);
    return tf.tensor3d(coeffs, this.splineWeight.shape as [number, number, number]);
  }

  /**
   * efficient-kan's `update_grid(x, margin)`: moves the knots to the distribution of `x`
   * (`[..., in]`) and refits `spline_weight` so the spline curves stay (in the least-squares sense)
   * the same on `x`. As in the reference, the refit stores the scaled coefficients in
   * `spline_weight` and keeps `spline_scaler`, so the scaler then applies twice.
   */
  async updateGrid(x: tf.Tensor, margin = 0.01): Promise<void> {
    this.checkInput('updateGrid', x);
    const rows = x.size / this.inFeatures;
    const [xs, oldKnots] = await Promise.all([x.data(), this.grid.data()]);
    assertFinite('updateGrid', xs);
    const { inFeatures: inF, gridSize: g, splineOrder: k } = this;
    const numKnots = g + 2 * k + 1;
    const newKnots = adaptiveGrid(xs, rows, inF, g, k, this.gridEps, margin);
    const transfer = changeOfBasis(
      xs,
      rows,
      { knots: oldKnots, numKnots },
      { knots: newKnots, numKnots },
      k,
    );
    const coeffs = g + k;
    const refit = tf.tidy(() => {
      // new[o, i, :] = T_i · scaled[o, i, :], batched over i.
      const scaledByFeature = tf.transpose(this.scaledSplineWeight(), [1, 2, 0]); // [in, coeffs, out]
      const t = tf.tensor3d(transfer, [inF, coeffs, coeffs]);
      return tf.transpose(tf.matMul(t, scaledByFeature), [2, 0, 1]); // [out, in, coeffs]
    });
    this.splineWeight.assign(refit);
    refit.dispose();
    this.setBuffer('grid', tf.tensor2d(newKnots, [inF, numKnots]));
  }

  /**
   * efficient-kan's `regularization_loss`: `regularizeActivation · Σ|spline_weight|̄ + regularizeEntropy
   * · entropy`, a scalar (differentiable in `spline_weight`).
   */
  regularizationLoss(regularizeActivation = 1, regularizeEntropy = 1): tf.Scalar {
    return splineRegularizationLoss(this.splineWeight, regularizeActivation, regularizeEntropy);
  }

  /** `spline_weight` for `reset_parameters`: curves through small random values at the knots. */
  private initialSplineWeight(grid: Float32Array, rng: Rng): tf.Tensor {
    const { inFeatures: inF, outFeatures: outF, gridSize: g, splineOrder: k } = this;
    const numKnots = g + 2 * k + 1;
    const points = g + 1;
    // x = grid.T[k : -k]: the G+1 knots spanning gridRange, [points, in].
    const x = new Float32Array(points * inF);
    for (let r = 0; r < points; r++) {
      for (let i = 0; i < inF; i++) x[r * inF + i] = grid[i * numKnots + k + r];
    }
    const noise = rng.uniformArray(points * inF * outF);
    for (let j = 0; j < noise.length; j++) {
      noise[j] = Math.fround(((noise[j] - 0.5) * this.scaleNoise) / g);
    }
    const factor = this.enableStandaloneScaleSpline ? 1 : this.scaleSpline;
    const coeffs = fitCoefficients(x, points, { knots: grid, numKnots }, k, noise, outF);
    if (factor !== 1) for (let j = 0; j < coeffs.length; j++) coeffs[j] *= factor;
    return tf.tensor3d(coeffs, [outF, inF, g + k]);
  }

  private checkInput(method: string, x: tf.Tensor): void {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(
        `KANLinear.${method}: input shape [${x.shape}] must end in in_features = ${this.inFeatures}`,
      );
    }
  }

  private checkBatch(method: string, x: tf.Tensor): number {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(
        `KANLinear.${method}: x must be [batch, ${this.inFeatures}], got [${x.shape}]`,
      );
    }
    return x.shape[0];
  }
}

function checkSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`KANLinear: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function assertFinite(method: string, values: ArrayLike<number>): void {
  for (let j = 0; j < values.length; j++) {
    if (!Number.isFinite(values[j])) {
      throw new Error(
        `KANLinear.${method}: x has a non-finite value (${values[j]}) at flat index ${j}`,
      );
    }
  }
}
