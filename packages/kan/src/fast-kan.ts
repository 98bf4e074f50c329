import { getDefaultRng, LayerNorm, Linear, Module, type Parameter, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Activation, resolveActivation } from './activation.js';

export interface FastKANLayerOptions {
  inFeatures: number;
  outFeatures: number;
  /** First RBF centre. Default -2. */
  gridMin?: number;
  /** Last RBF centre. Default 2. */
  gridMax?: number;
  /** Number of RBF centres. Default 8. */
  numGrids?: number;
  /** Add `base_linear(act(x))`. Default true. */
  useBaseUpdate?: boolean;
  /** Default `'silu'`. */
  baseActivation?: Activation;
  /** Std of the spline weight's truncated-normal init. Default 0.1. */
  splineWeightInitScale?: number;
  rng?: Rng;
}

/** FastKAN's radial basis `exp(-((x - c_j) / h)²)` on fixed centres `grid` (a frozen parameter). */
export class RadialBasisFunction extends Module {
  readonly grid: Parameter;
  readonly denominator: number;

  constructor(gridMin: number, gridMax: number, numGrids: number) {
    super();
    if (!Number.isInteger(numGrids) || numGrids < 2 || !(gridMax > gridMin)) {
      throw new Error(
        `RadialBasisFunction: needs gridMin < gridMax and an integer numGrids >= 2, got ${gridMin}, ${gridMax}, ${numGrids}`,
      );
    }
    this.grid = this.registerParameter('grid', tf.linspace(gridMin, gridMax, numGrids), false);
    this.denominator = (gridMax - gridMin) / (numGrids - 1);
  }

  /** `[..., in]` → `[..., in, numGrids]`. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.exp(tf.neg(tf.square(tf.div(tf.sub(tf.expandDims(x, -1), this.grid), this.denominator)))),
    );
  }
}

/**
 * FastKAN's layer (ZiyaoLi/fast-kan): Gaussian radial bases on a LayerNorm'ed input stand in for
 * B-splines, `y = spline_linear(rbf(layernorm(x)).flatten) + base_linear(act(x))`. State-dict
 * names follow the reference: `layernorm.*`, `rbf.grid`, `spline_linear.weight`, `base_linear.*`.
 */
export class FastKANLayer extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly layernorm: LayerNorm;
  readonly rbf: RadialBasisFunction;
  readonly splineLinear: Linear;
  readonly baseLinear: Linear | null;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;

  constructor(options: FastKANLayerOptions) {
    super();
    const { inFeatures, outFeatures } = options;
    if (
      !Number.isInteger(inFeatures) ||
      inFeatures < 1 ||
      !Number.isInteger(outFeatures) ||
      outFeatures < 1
    ) {
      throw new Error(
        `FastKANLayer: inFeatures and outFeatures must be positive integers, got ${inFeatures}, ${outFeatures}`,
      );
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const numGrids = options.numGrids ?? 8;
    const rng = options.rng ?? getDefaultRng();
    this.layernorm = this.registerModule('layernorm', new LayerNorm(inFeatures));
    this.rbf = this.registerModule(
      'rbf',
      new RadialBasisFunction(options.gridMin ?? -2, options.gridMax ?? 2, numGrids),
    );
    this.splineLinear = this.registerModule(
      'spline_linear',
      new Linear(inFeatures * numGrids, outFeatures, { bias: false, rng }),
    );
    const scale = options.splineWeightInitScale ?? 0.1;
    const init = truncatedNormal(this.splineLinear.weight.shape, scale, rng);
    this.splineLinear.weight.assign(init);
    init.dispose();
    this.activation = resolveActivation(options.baseActivation ?? 'silu');
    this.baseLinear =
      (options.useBaseUpdate ?? true)
        ? this.registerModule('base_linear', new Linear(inFeatures, outFeatures, { rng }))
        : null;
  }

  /** `[..., in]` → `[..., out]`. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(
        `FastKANLayer.forward: input shape [${x.shape}] must end in in_features = ${this.inFeatures}`,
      );
    }
    return tf.tidy(() => {
      const basis = this.rbf.forward(this.layernorm.forward(x));
      const flat = tf.reshape(basis, [...x.shape.slice(0, -1), -1]);
      const spline = this.splineLinear.forward(flat);
      return this.baseLinear ? tf.add(spline, this.baseLinear.forward(this.activation(x))) : spline;
    });
  }
}

/** `nn.init.trunc_normal_(w, std=std)`: N(0, std²) redrawn outside PyTorch's default [-2, 2]. */
function truncatedNormal(shape: number[], std: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let j = 0; j < size; j++) {
    let v: number;
    do v = rng.normal() * std;
    while (v < -2 || v > 2);
    values[j] = v;
  }
  return tf.tensor(values, shape);
}
