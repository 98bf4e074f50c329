import type { GPT2Tokenizer } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Token ids of each text, cut to `maxLength` (the model's context). Cutting is reported by the
 * caller (`truncated` counts the texts cut), never silent.
 */
export function encodeTexts(
  tokenizer: GPT2Tokenizer,
  texts: readonly string[],
  maxLength: number,
): { rows: number[][]; truncated: number } {
  let truncated = 0;
  const rows = texts.map((text) => {
    const ids = tokenizer.encode(text);
    if (ids.length <= maxLength) return ids;
    truncated += 1;
    return ids.slice(0, maxLength);
  });
  return { rows, truncated };
}

/**
 * Token rows of a task's train, dev and test texts (`encodeTexts` on each), logging how many texts
 * of a split were cut to the model's context.
 */
export function encodeSplits(
  tokenizer: GPT2Tokenizer,
  splits: { train: readonly string[]; dev: readonly string[]; test: readonly string[] },
  maxLength: number,
  log: (line: string) => void,
  unit = 'texts',
): { train: number[][]; dev: number[][]; test: number[][] } {
  const encode = (name: 'train' | 'dev' | 'test') => {
    const { rows, truncated } = encodeTexts(tokenizer, splits[name], maxLength);
    if (truncated) log(`${name}: ${truncated} ${unit} cut to the model's ${maxLength} tokens`);
    return rows;
  };
  return { train: encode('train'), dev: encode('dev'), test: encode('test') };
}

/** Right-pads token rows into `inputIds` and `attentionMask` `[B, longest]` (pad id `padId`). */
export function padRows(
  rows: readonly number[][],
  padId: number,
): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D } {
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * width).fill(padId);
  const mask = new Int32Array(rows.length * width);
  rows.forEach((row, r) => {
    ids.set(row, r * width);
    mask.fill(1, r * width, r * width + row.length);
  });
  return {
    inputIds: tf.tensor2d(ids, [rows.length, width], 'int32'),
    attentionMask: tf.tensor2d(mask, [rows.length, width], 'int32'),
  };
}

/** Consecutive slices of `size` (the last one may be shorter), for evaluation in order. */
export function inOrder<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Mean cross-entropy of `logits` `[B, K]` against integer `labels`. */
export function crossEntropy(logits: tf.Tensor2D, labels: number[]): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** Row-wise argmax of `[B, K]` logits, read back to JavaScript. */
export async function argmaxRows(logits: tf.Tensor2D): Promise<number[]> {
  const best = tf.argMax(logits, 1);
  const values = Array.from(await best.data());
  best.dispose();
  return values;
}
