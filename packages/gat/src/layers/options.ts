import { getDefaultRng, type Rng } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';

/** PyG's `GATConv` / `DenseGATConv` / `GATv2Conv` constructor arguments, camel-cased. */
export interface GATOptions {
  inChannels: number;
  outChannels: number;
  /** Attention heads (default 1). */
  heads?: number;
  /** Concatenate the heads (`[…, heads·out]`, default) or average them (`[…, out]`). */
  concat?: boolean;
  /** LeakyReLU slope of the attention scores (default 0.2). */
  negativeSlope?: number;
  /** Dropout on the normalised attention coefficients in train mode (default 0). */
  dropout?: number;
  /** Drop existing self loops and add one per node, like PyG (default true). */
  addSelfLoops?: boolean;
  /** Learn an additive bias (default true; PyG initialises it to zero). */
  bias?: boolean;
  /** Generator for the initial weights and the dropout masks (default: the shared one). */
  rng?: Rng;
}

export type ResolvedGATOptions = Required<GATOptions>;

export function resolveGATOptions(layer: string, options: GATOptions): ResolvedGATOptions {
  const resolved: ResolvedGATOptions = {
    heads: 1,
    concat: true,
    negativeSlope: 0.2,
    dropout: 0,
    addSelfLoops: true,
    bias: true,
    rng: getDefaultRng(),
    ...options,
  };
  for (const key of ['inChannels', 'outChannels', 'heads'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${layer}: ${key} must be a positive integer, got ${value}`);
    }
  }
  if (!Number.isFinite(resolved.negativeSlope)) {
    throw new RangeError(`${layer}: negativeSlope must be finite, got ${resolved.negativeSlope}`);
  }
  if (!(resolved.dropout >= 0 && resolved.dropout < 1)) {
    throw new RangeError(`${layer}: dropout must be in [0, 1), got ${resolved.dropout}`);
  }
  return resolved;
}

/** Fails unless `x` is float32 `[…leading, inChannels]` with `rank` axes. */
export function checkFeatures(
  layer: string,
  x: tf.Tensor,
  inChannels: number,
  shapeName: string,
  ranks: number[],
): void {
  if (!ranks.includes(x.rank) || x.shape[x.rank - 1] !== inChannels) {
    throw new RangeError(
      `${layer}: x must be ${shapeName} with inChannels = ${inChannels}, got [${x.shape}]`,
    );
  }
  if (x.dtype !== 'float32') {
    throw new TypeError(`${layer}: x must be float32, got ${x.dtype}`);
  }
}
