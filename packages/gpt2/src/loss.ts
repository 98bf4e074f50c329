import { customGrad, slice } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CrossEntropyChunk, crossEntropyChunk } from './loss-chunk.js';

/** Hugging Face's label for "no loss here" (padding, prompt tokens). */
export const IGNORE_INDEX = -100;

export interface LmLossOptions {
  /**
   * Rows of `[rows, vocab]` probabilities held at a time. Default 1024 (GPT-2's 8 × 128 tokens in
   * one pass, ~200 MB: each chunk slices and transposes the head once more).
   */
  chunkRows?: number;
  /**
   * Vocabulary entries (head rows) multiplied at a time, at most. Default 1000 (not 1024: wasm's
   * 2D transpose of a block is ~10× slower when its row count is a multiple of 1024).
   */
  vocabBlock?: number;
}

/**
 * Mean next-token cross-entropy of `logits = hidden·headWeightᵀ` against `labels` shifted by one
 * (Hugging Face's causal-LM loss: position t predicts `labels[t + 1]`; `IGNORE_INDEX` is skipped),
 * without ever holding the `[B, T, vocab]` logits (200 MB for GPT-2 at 8 × 128 tokens, and autodiff
 * would keep several copies): rows are taken `chunkRows` at a time and the vocabulary in blocks
 * (see `loss-chunk.ts`).
 *
 * When autodiff is recording (inside `tf.grad`, `variableGrads`, an optimizer's `minimize`), the
 * gradient is computed in the same pass as the loss, from the probabilities already at hand (the
 * "fused linear cross-entropy" of Liger and others), and the backward pass only scales it: the
 * logits are never computed twice. `headWeight` gets a gradient only when it is a trainable variable.
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
  if (headWeight.shape[1] !== channels) {
    throw new Error(`headWeight has shape [${headWeight.shape}], hidden states [${hidden.shape}]`);
  }
  const chunkRows = options.chunkRows ?? 1024;
  const vocabBlock = options.vocabBlock ?? 1000;
  const weightTrainable = headWeight instanceof tf.Variable && headWeight.trainable;
  // Recording a gradient: compute it with the loss (the tape is checked where the op is called).
  const withGrad = tf.engine().isTapeOn();
  return tf.tidy(() => {
    // Position t of row b predicts labels[b, t + 1]: drop each row's last position.
    const rows = batch * (length - 1);
    const h = tf.reshape(slice(hidden, [0, 0, 0], [batch, length - 1, channels]), [rows, channels]);
    const target = tf.cast(tf.reshape(slice(labels, [0, 1], [batch, length - 1]), [rows]), 'int32');
    const inputs = weightTrainable ? [h, headWeight] : [h];
    return customGrad(([hi], save) => {
      const keep = tf.cast(tf.notEqual(target, IGNORE_INDEX), 'float32');
      const safeTarget = tf.maximum(target, tf.scalar(0, 'int32'));
      const count = tf.maximum(tf.sum(keep), 1);
      const chunks: CrossEntropyChunk[] = chunkRanges(rows, chunkRows).map(([start, size]) =>
        crossEntropyChunk({
          hidden: slice(hi, [start, 0], [size, channels]) as tf.Tensor2D,
          target: slice(safeTarget, [start], [size]) as tf.Tensor1D,
          keep: slice(keep, [start], [size]) as tf.Tensor1D,
          weight: headWeight,
          vocabBlock,
          hiddenGrad: withGrad,
          weightGrad: withGrad && weightTrainable,
        }),
      );
      const total = tf.addN(chunks.map((c) => c.lossSum));
      if (withGrad) {
        const dHidden = tf.concat(
          chunks.map((c) => c.dHidden as tf.Tensor),
          0,
        );
        const dWeight = weightTrainable ? [tf.addN(chunks.map((c) => c.dWeight as tf.Tensor))] : [];
        save([count, dHidden, ...dWeight]);
      }
      return {
        value: tf.div(total, count),
        gradFunc: (dy, [n, ...grads]) => {
          const scale = tf.div(dy, n);
          return grads.map((g) => tf.mul(g, scale));
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
