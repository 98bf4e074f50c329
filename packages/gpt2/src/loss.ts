import { customGrad } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/** Hugging Face's label for "no loss here" (padding, prompt tokens). */
export const IGNORE_INDEX = -100;

export interface LmLossOptions {
  /** Rows of `[rows, vocab]` logits materialised at a time. Default 256. */
  chunkRows?: number;
}

/**
 * Mean next-token cross-entropy of `logits = hidden·headWeightᵀ` against `labels` shifted by one
 * (Hugging Face's causal-LM loss: position t predicts `labels[t + 1]`; `IGNORE_INDEX` is skipped),
 * without ever holding the `[B, T, vocab]` logits: they are computed a chunk of rows at a time,
 * in the forward and again in the backward pass, so memory stays at one `[chunkRows, vocab]` block
 * (GPT-2's vocabulary makes the full logits 200 MB at 8 × 128 tokens, and autodiff would keep
 * several copies). `headWeight` gets a gradient only when it is a trainable variable.
 */
export function causalLmLoss(
  hidden: tf.Tensor3D,
  headWeight: tf.Tensor2D,
  labels: tf.Tensor2D,
  options: LmLossOptions = {},
): tf.Scalar {
  const [batch, length, channels] = hidden.shape;
  if (labels.shape[0] !== batch || labels.shape[1] !== length) {
    throw new Error(`labels have shape [${labels.shape}], hidden states [${hidden.shape}]`);
  }
  const chunkRows = options.chunkRows ?? 256;
  const vocab = headWeight.shape[0];
  return tf.tidy(() => {
    // Position t of row b predicts labels[b, t + 1]: drop each row's last position.
    const rows = batch * (length - 1);
    const h = tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, length - 1, channels]), [
      rows,
      channels,
    ]);
    const target = tf.cast(
      tf.reshape(tf.slice(labels, [0, 1], [batch, length - 1]), [rows]),
      'int32',
    );
    const weightTrainable = headWeight instanceof tf.Variable && headWeight.trainable;
    const inputs = weightTrainable ? [h, headWeight] : [h];
    return customGrad(([hi], save) => {
      const keep = tf.cast(tf.notEqual(target, IGNORE_INDEX), 'float32');
      const safeTarget = tf.maximum(target, tf.scalar(0, 'int32'));
      const count = tf.maximum(tf.sum(keep), 1);
      const weightT = tf.transpose(headWeight);
      const chunks = chunkRanges(rows, chunkRows);
      // Σ over kept rows of logsumexp(logits) − logits[label].
      const total = tf.addN(
        chunks.map(([start, size]) =>
          tf.tidy(() => {
            const logits = tf.matMul(tf.slice(hi, [start, 0], [size, channels]), weightT);
            // logits[i, label_i] as a flat gather (batched gather crashes tfjs-wasm here).
            const flatIndex = tf.add(
              tf.mul(tf.range(0, size, 1, 'int32'), tf.scalar(vocab, 'int32')),
              tf.slice(safeTarget, [start], [size]),
            );
            const picked = tf.gather(tf.reshape(logits, [-1]), flatIndex);
            const perRow = tf.sub(tf.logSumExp(logits, 1), picked);
            return tf.sum(tf.mul(perRow, tf.slice(keep, [start], [size])));
          }),
        ),
      );
      save([hi, keep, safeTarget, count, weightT]);
      return {
        value: tf.div(total, count),
        gradFunc: (dy, [hs, kept, labelIds, n, wT]) => {
          const scale = tf.div(dy, n);
          const hiddenGrads: tf.Tensor[] = [];
          const weightGrads: tf.Tensor[] = [];
          for (const [start, size] of chunks) {
            const hChunk = tf.slice(hs, [start, 0], [size, channels]);
            const dLogits = tf.tidy(() => {
              const probs = tf.softmax(tf.matMul(hChunk, wT));
              const oneHot = tf.oneHot(tf.slice(labelIds, [start], [size]), vocab);
              const rowScale = tf.mul(tf.slice(kept, [start], [size]), scale);
              return tf.mul(tf.sub(probs, oneHot), tf.expandDims(rowScale, 1));
            });
            hiddenGrads.push(tf.matMul(dLogits, headWeight));
            if (weightTrainable) weightGrads.push(tf.matMul(tf.transpose(dLogits), hChunk));
            dLogits.dispose();
          }
          const grads = [tf.concat(hiddenGrads, 0)];
          if (weightTrainable) grads.push(tf.addN(weightGrads));
          return grads;
        },
      };
    })(...inputs) as tf.Scalar;
  });
}

function chunkRanges(rows: number, chunkRows: number): [start: number, size: number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < rows; start += chunkRows)
    out.push([start, Math.min(chunkRows, rows - start)]);
  return out;
}

/** Labels for `causalLmLoss` from ids and a padding mask: padded positions are ignored. */
export function labelsFromMask(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() =>
    tf.where(
      tf.cast(attentionMask, 'bool'),
      tf.cast(inputIds, 'int32'),
      tf.fill(inputIds.shape, IGNORE_INDEX, 'int32'),
    ),
  ) as tf.Tensor2D;
}
