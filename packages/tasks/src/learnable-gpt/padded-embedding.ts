import { Embedding, type EmbeddingOptions, embeddingLookup, stopGradient } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's `nn.Embedding(…, padding_idx)`: a lookup of the padding index gives its row but sends
 * no gradient back to it. (Unlike PyTorch, the row is not zeroed at init: the seed overwrites it
 * with the pretrained one anyway.) The row still learns through any other use of the table, as
 * the sonnet model's tied output projection.
 */
export class PaddedEmbedding extends Embedding {
  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    readonly paddingIdx: number,
    options: EmbeddingOptions = {},
  ) {
    super(numEmbeddings, embeddingDim, options);
  }

  override forward(ids: tf.Tensor): tf.Tensor {
    const rows = embeddingLookup(this.weight, ids);
    if (!this.weight.trainable) return rows;
    return tf.tidy(() => {
      const isPadding = tf.expandDims(tf.equal(tf.cast(ids, 'int32'), this.paddingIdx), -1);
      const padded = tf.broadcastTo(isPadding, rows.shape);
      return tf.where(padded, stopGradient(rows), rows);
    });
  }
}
