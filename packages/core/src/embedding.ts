import * as tf from '@tensorflow/tfjs-core';
import { normal } from './init.js';
import { Module, type Parameter } from './module.js';
import { gatherRows, rowsAt } from './ops/segment.js';
import type { Rng } from './rng.js';

export interface EmbeddingOptions {
  /** Std of the normal init. PyTorch uses 1; Hugging Face GPT-2 uses `initializer_range` (0.02). */
  initStd?: number;
  rng?: Rng;
}

/**
 * Rows of `weight` `[num, dim]` at integer `ids` (any shape) → `[...ids.shape, dim]`. A trainable
 * table gets its gradient from `gatherRows` (tf.gather's own needs a kernel tfjs-wasm lacks); a
 * frozen one is a plain gather with no gradient at all.
 */
export function embeddingLookup(weight: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const flat = tf.cast(tf.reshape(ids, [-1]), 'int32') as tf.Tensor1D;
  const trainable = weight instanceof tf.Variable && weight.trainable;
  const rows = trainable ? gatherRows(weight, flat) : rowsAt(weight, flat);
  return tf.reshape(rows, [...ids.shape, weight.shape[1] as number]);
}

/** PyTorch's `nn.Embedding`: a `[numEmbeddings, embeddingDim]` table looked up by integer ids. */
export class Embedding extends Module {
  weight: Parameter;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      normal([numEmbeddings, embeddingDim], 0, options.initStd ?? 1, options.rng),
    );
  }

  forward(ids: tf.Tensor): tf.Tensor {
    return embeddingLookup(this.weight, ids);
  }
}
