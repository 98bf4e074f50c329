import { batchMatMul, getDefaultRng, Module, type Parameter, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

export interface ChebyKANLayerOptions {
  inFeatures: number;
  outFeatures: number;
  /** Highest Chebyshev degree. */
  degree: number;
  rng?: Rng;
}

/**
 * ChebyKAN's layer (SynodicMonth/ChebyKAN): `y[o] = Σ_i Σ_d c[i, o, d] · T_d(tanh(x_i))` with the
 * Chebyshev polynomials T_d, parameter `cheby_coeffs` `[in, out, degree + 1]`, init
 * N(0, 1/(in·(degree+1))).
 *
 * tanh squashes the input into [-1, 1] and T_d is built by the recurrence T_{d+1} = 2t·T_d − T_{d−1}
 * rather than `cos(d·acos t)`: the acos form's derivative is ∞·0 = NaN wherever tanh saturates to
 * ±1 (|x| ≳ 9 in float32), the polynomial's is finite everywhere.
 */
export class ChebyKANLayer extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly degree: number;
  readonly chebyCoeffs: Parameter;

  constructor(options: ChebyKANLayerOptions) {
    super();
    const { inFeatures, outFeatures, degree } = options;
    for (const [name, value, min] of [
      ['inFeatures', inFeatures, 1],
      ['outFeatures', outFeatures, 1],
      ['degree', degree, 0],
    ] as const) {
      if (!Number.isInteger(value) || value < min) {
        throw new Error(`ChebyKANLayer: ${name} must be an integer >= ${min}, got ${value}`);
      }
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.degree = degree;
    const rng = options.rng ?? getDefaultRng();
    this.chebyCoeffs = this.registerParameter(
      'cheby_coeffs',
      rng.normalTensor([inFeatures, outFeatures, degree + 1], 0, 1 / (inFeatures * (degree + 1))),
    );
  }

  /** `[..., in]` → `[..., out]`. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(
        `ChebyKANLayer.forward: input shape [${x.shape}] must end in in_features = ${this.inFeatures}`,
      );
    }
    return tf.tidy(() => {
      const t = tf.tanh(tf.reshape(tf.cast(x, 'float32'), [-1, this.inFeatures]));
      const rows = t.shape[0];
      const polys = [tf.onesLike(t)];
      if (this.degree > 0) polys.push(t);
      for (let d = 2; d <= this.degree; d++) {
        polys.push(tf.sub(tf.mul(tf.mul(t, 2), polys[d - 1]), polys[d - 2]));
      }
      const basis = tf.reshape(tf.stack(polys, -1), [rows, -1]) as tf.Tensor2D; // [rows, in·(d+1)]
      const coeffs = tf.reshape(tf.transpose(this.chebyCoeffs, [0, 2, 1]), [-1, this.outFeatures]);
      const y = batchMatMul(basis, coeffs) as tf.Tensor2D;
      return tf.reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }
}
