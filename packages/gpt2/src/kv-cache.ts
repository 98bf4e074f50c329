import type * as tf from '@tensorflow/tfjs-core';

/**
 * One layer's cached keys and values, `[batch, heads, pastLength, headDim]` each (Hugging Face's
 * `(key, value)` layout). The caller owns them: dispose them when done (`disposeCache`).
 */
export interface LayerKV {
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

/** The KV cache of every layer, in layer order. */
export type PastKeyValues = LayerKV[];

/** How many positions a cache holds (0 for none). */
export function pastLength(past: PastKeyValues | undefined): number {
  return past && past.length > 0 ? past[0].key.shape[2] : 0;
}

export function disposeCache(past: PastKeyValues | undefined): void {
  for (const { key, value } of past ?? []) {
    key.dispose();
    value.dispose();
  }
}
