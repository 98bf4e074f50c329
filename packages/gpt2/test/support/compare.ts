import type * as tf from '@tensorflow/tfjs-core';

/** The rows `[…, X]` of a `[B, T, X]` tensor at positions where `keep[b][t]` is 1, flattened. */
export async function valuesAt(t: tf.Tensor, keep: number[][]): Promise<number[]> {
  const [batch, length] = t.shape;
  const width = t.size / (batch * length);
  const data = await t.data();
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < length; i++) {
      if (keep[b][i] !== 1) continue;
      const start = (b * length + i) * width;
      for (let j = 0; j < width; j++) out.push(data[start + j]);
    }
  }
  return out;
}
