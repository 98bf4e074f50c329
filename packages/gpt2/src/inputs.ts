import * as tf from '@tensorflow/tfjs-core';

/** Token ids or a mask: an int32 `[batch, length]` tensor, or rows of integers. */
export type IntMatrix = tf.Tensor2D | number[][];

/**
 * Checks that rows of integers form a `[batch, length]` matrix with every value in
 * `[low, high)`, naming the argument, row and column at fault.
 */
export function checkIntRows(rows: number[][], name: string, low: number, high: number): void {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new Error(`${name} must be a non-empty array of rows`);
  }
  const width = rows[0]?.length;
  rows.forEach((row, r) => {
    if (!Array.isArray(row)) throw new Error(`${name}[${r}] is not an array`);
    if (row.length !== width) {
      throw new Error(
        `${name} rows have different lengths (row 0: ${width}, row ${r}: ${row.length}); pad them (tokenizer.batchEncode with padding) and pass an attentionMask`,
      );
    }
    row.forEach((v, c) => {
      if (!Number.isInteger(v) || v < low || v >= high) {
        throw new Error(`${name}[${r}][${c}] = ${v} is not an integer in [${low}, ${high})`);
      }
    });
  });
  if (width === 0) throw new Error(`${name} rows are empty`);
}

/** An int32 `[batch, length]` tensor from `input` (rows are validated; a tensor is checked for rank/dtype). */
export function toIntTensor(
  input: IntMatrix,
  name: string,
  low: number,
  high: number,
): tf.Tensor2D {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 2)
      throw new Error(`${name} must be 2-D [batch, length], got shape [${input.shape}]`);
    if (input.dtype !== 'int32') throw new Error(`${name} must be int32, got ${input.dtype}`);
    return input;
  }
  checkIntRows(input, name, low, high);
  return tf.tensor2d(input, [input.length, input[0].length], 'int32');
}

/** Reads an int matrix into JS rows (awaiting the backend for a tensor). */
export async function toIntRows(input: IntMatrix): Promise<number[][]> {
  return input instanceof tf.Tensor
    ? ((await input.array()) as number[][])
    : input.map((r) => [...r]);
}
