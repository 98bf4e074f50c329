import * as tf from '@tensorflow/tfjs-core';
import { batches, epochRng } from '../data/batching.js';
import { argmaxRows, crossEntropy, inOrder, padRows } from './encode.js';
import type { TrainBatch } from './types.js';

/** A head that scores padded token rows: `[B, T]` ids and mask → `[B, classes]` logits. */
export interface ClassifierHead {
  forward(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D;
}

/**
 * What sentiment and paraphrase share: shuffled labelled batches, cross-entropy, and argmax
 * predictions in evaluation-sized chunks.
 */
export function classificationSteps(
  head: ClassifierHead,
  padId: number,
  seed: number,
  evalBatchSize: number,
) {
  return {
    trainBatches(
      rows: number[][],
      labels: number[],
      epoch: number,
      batchSize: number,
    ): TrainBatch[] {
      const indices = batches([...rows.keys()], batchSize, { rng: epochRng(seed, epoch) });
      return indices.map((b) => ({ rows: b.map((i) => rows[i]), labels: b.map((i) => labels[i]) }));
    },
    loss(batch: TrainBatch): tf.Scalar {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, padId);
        return crossEntropy(head.forward(inputIds, attentionMask), batch.labels!);
      });
    },
    async predict(rows: number[][]): Promise<number[]> {
      const out: number[] = [];
      for (const chunk of inOrder(rows, evalBatchSize)) {
        const { inputIds, attentionMask } = padRows(chunk, padId);
        const logits = head.forward(inputIds, attentionMask);
        out.push(...(await argmaxRows(logits)));
        tf.dispose([inputIds, attentionMask, logits]);
      }
      return out;
    },
  };
}
