import * as tf from '@tensorflow/tfjs-core';

/**
 * The graph over the tokens of a sequence, for the dense path:
 * - `'full'`: every token attends to every token (learnable-gpt's `build_graph`);
 * - `'causal'`: token i attends to tokens j ≤ i, so a generator never sees the future;
 * - an adjacency tensor `[T, T]` or `[B, T, T]`: a nonzero at `[i, j]` is an edge `j → i` (token i
 *   attends to token j), PyG `DenseGATConv`'s convention.
 */
export type TokenGraph = 'full' | 'causal' | tf.Tensor;

/**
 * Builds the `0/1` "may attend" mask `[B or 1, 1, T, T]` (target rows, source columns) for a token
 * graph, a padding mask and the self-loop flag. The structure of `'full'` and `'causal'` graphs is
 * cached per sequence length: call `dispose()` to free it.
 */
export class TokenGraphMasks {
  private readonly structures = new Map<string, tf.Tensor>();

  constructor(private readonly addSelfLoops: boolean) {}

  /**
   * `paddingMask` `[B, T]` (1 = real token, 0 = padding): padding tokens neither send nor receive
   * attention, so their rows and columns are cleared.
   */
  allowed(graph: TokenGraph, batch: number, length: number, paddingMask?: tf.Tensor): tf.Tensor {
    let mask =
      typeof graph === 'string'
        ? this.structure(graph, length)
        : this.adjacency(graph, batch, length);
    if (paddingMask) {
      checkPaddingMask(paddingMask, batch, length);
      const real = tf.cast(tf.notEqual(paddingMask, 0), 'float32');
      mask = tf.mul(mask, tf.mul(tf.expandDims(real, 2), tf.expandDims(real, 1)));
    }
    return mask.rank === 2 ? tf.reshape(mask, [1, 1, length, length]) : tf.expandDims(mask, 1);
  }

  dispose(): void {
    for (const t of this.structures.values()) t.dispose();
    this.structures.clear();
  }

  private structure(kind: 'full' | 'causal', length: number): tf.Tensor {
    if (kind !== 'full' && kind !== 'causal') {
      throw new RangeError(`unknown token graph '${kind}': expected 'full', 'causal' or a tensor`);
    }
    const key = `${kind}:${length}`;
    let mask = this.structures.get(key);
    if (!mask) {
      const values = new Float32Array(length * length);
      for (let i = 0; i < length; i++) {
        const lastSource = kind === 'causal' ? i : length - 1;
        for (let j = 0; j <= lastSource; j++) values[i * length + j] = 1;
        if (!this.addSelfLoops) values[i * length + i] = 0;
      }
      // Cached across forward passes, so it must survive the enclosing tidy.
      mask = tf.keep(tf.tensor2d(values, [length, length]));
      this.structures.set(key, mask);
    }
    return mask;
  }

  private adjacency(adjacency: tf.Tensor, batch: number, length: number): tf.Tensor {
    const [rows, cols] = adjacency.shape.slice(-2);
    const batchOk =
      adjacency.rank === 2 || (adjacency.rank === 3 && [1, batch].includes(adjacency.shape[0]));
    if (!batchOk || rows !== length || cols !== length) {
      throw new RangeError(
        `adjacency must be [${length}, ${length}] or [${batch}, ${length}, ${length}] for ` +
          `${batch} sequence(s) of ${length} tokens, got [${adjacency.shape}]`,
      );
    }
    const edges = tf.cast(tf.notEqual(adjacency, 0), 'float32');
    // PyG's DenseGATConv sets the diagonal when adding self loops, whatever the adjacency says.
    return this.addSelfLoops ? tf.maximum(edges, tf.eye(length)) : edges;
  }
}

function checkPaddingMask(mask: tf.Tensor, batch: number, length: number): void {
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== length) {
    throw new RangeError(
      `attention/padding mask must be [${batch}, ${length}] (batch, tokens), got [${mask.shape}]`,
    );
  }
}
