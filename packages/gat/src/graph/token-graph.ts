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
 * graph, a padding mask and the self-loop flag. `paddingMask` `[B, T]` (1 = real token, 0 =
 * padding): padding tokens neither send nor receive attention, so their rows and columns are
 * cleared.
 *
 * Built on the device for every call, never cached: a cache per sequence length grew without bound
 * in generation (one T×T mask per layer per length seen), and building it is a few elementwise ops
 * on T² values, small next to the T²·d attention products that use it. Call it inside a `tidy`.
 */
export function tokenGraphMask(
  graph: TokenGraph,
  addSelfLoops: boolean,
  batch: number,
  length: number,
  paddingMask?: tf.Tensor,
): tf.Tensor {
  let mask =
    typeof graph === 'string'
      ? structure(graph, addSelfLoops, length)
      : adjacency(graph, addSelfLoops, batch, length);
  if (paddingMask) {
    checkPaddingMask(paddingMask, batch, length);
    const real = tf.cast(tf.notEqual(paddingMask, 0), 'float32');
    mask = tf.mul(mask, tf.mul(tf.expandDims(real, 2), tf.expandDims(real, 1)));
  }
  return mask.rank === 2 ? tf.reshape(mask, [1, 1, length, length]) : tf.expandDims(mask, 1);
}

/** `'full'` or `'causal'` as a `[T, T]` 0/1 mask (row i: the tokens j that token i attends to). */
function structure(kind: 'full' | 'causal', addSelfLoops: boolean, length: number): tf.Tensor {
  if (kind !== 'full' && kind !== 'causal') {
    throw new RangeError(`unknown token graph '${kind}': expected 'full', 'causal' or a tensor`);
  }
  const rows = tf.reshape(tf.range(0, length, 1, 'int32'), [length, 1]);
  const cols = tf.reshape(tf.range(0, length, 1, 'int32'), [1, length]);
  // Broadcast to [T, T]: j ≤ i for causal, every j for full; the diagonal cleared without loops.
  let allowed =
    kind === 'causal' ? tf.cast(tf.lessEqual(cols, rows), 'float32') : tf.ones([length, length]);
  if (!addSelfLoops) allowed = tf.mul(allowed, tf.cast(tf.notEqual(cols, rows), 'float32'));
  return allowed;
}

function adjacency(
  adjacency: tf.Tensor,
  addSelfLoops: boolean,
  batch: number,
  length: number,
): tf.Tensor {
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
  return addSelfLoops ? tf.maximum(edges, tf.eye(length)) : edges;
}

function checkPaddingMask(mask: tf.Tensor, batch: number, length: number): void {
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== length) {
    throw new RangeError(
      `attention/padding mask must be [${batch}, ${length}] (batch, tokens), got [${mask.shape}]`,
    );
  }
}
