import * as tf from '@tensorflow/tfjs-core';
import { normal } from './init.js';
import { Module, type Parameter } from './module.js';
import type { Rng } from './rng.js';

export interface EmbeddingOptions {
  /** Std of the normal init. PyTorch uses 1; Hugging Face GPT-2 uses `initializer_range` (0.02). */
  initStd?: number;
  rng?: Rng;
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
    const flat = tf.reshape(ids, [-1]);
    const rows = tf.gather(this.weight, tf.cast(flat, 'int32'));
    return tf.reshape(rows, [...ids.shape, this.embeddingDim]);
  }
}
