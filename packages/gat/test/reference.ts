import * as tf from '@tensorflow/tfjs-core';

/**
 * Dense-adjacency graph attention written straight from the formulas with plain tfjs ops and
 * tfjs autodiff: the independent reference for the layers' values and gradients.
 * `adjacency[i][j] = 1` is an edge `j → i` (self loops included by the caller).
 */
export interface ReferenceGraph {
  adjacency: number[][];
  heads: number;
  channels: number;
  concat: boolean;
  negativeSlope: number;
}

function maskedSoftmaxOverSources(scores: tf.Tensor, adjacency: number[][]): tf.Tensor {
  const allowed = tf.tensor2d(adjacency);
  return tf.softmax(tf.add(scores, tf.mul(tf.sub(allowed, 1), 1e9)));
}

function finish(out: tf.Tensor, g: ReferenceGraph, bias: tf.Tensor): tf.Tensor {
  const n = out.shape[0];
  const merged = g.concat ? tf.reshape(out, [n, g.heads * g.channels]) : tf.mean(out, 1);
  return tf.add(merged, bias);
}

/** GAT: `α_ij = softmax_j(leaky_relu(⟨Wx_j, a_src⟩ + ⟨Wx_i, a_dst⟩))`, `out_i = Σ_j α_ij Wx_j`. */
export function referenceGat(
  x: tf.Tensor,
  weight: tf.Tensor,
  attSrc: tf.Tensor,
  attDst: tf.Tensor,
  bias: tf.Tensor,
  g: ReferenceGraph,
): tf.Tensor {
  const n = x.shape[0];
  const h = tf.reshape(tf.matMul(x, weight, false, true), [n, g.heads, g.channels]);
  const source = tf.transpose(tf.sum(tf.mul(h, attSrc), 2)); // [H, N]
  const target = tf.transpose(tf.sum(tf.mul(h, attDst), 2));
  const scores = tf.leakyRelu(
    tf.add(tf.expandDims(target, 2), tf.expandDims(source, 1)),
    g.negativeSlope,
  );
  const alpha = maskedSoftmaxOverSources(scores, g.adjacency); // [H, N(i), N(j)]
  const out = tf.matMul(alpha, tf.transpose(h, [1, 0, 2])); // [H, N, C]
  return finish(tf.transpose(out, [1, 0, 2]), g, bias);
}

/** GATv2: `e_ij = ⟨att, leaky_relu(W_l x_j + W_r x_i)⟩`, messages `W_l x_j`. */
export function referenceGatV2(
  x: tf.Tensor,
  linL: [tf.Tensor, tf.Tensor],
  linR: [tf.Tensor, tf.Tensor],
  att: tf.Tensor,
  bias: tf.Tensor,
  g: ReferenceGraph,
): tf.Tensor {
  const n = x.shape[0];
  const project = ([w, b]: [tf.Tensor, tf.Tensor]) =>
    tf.reshape(tf.add(tf.matMul(x, w, false, true), b), [n, g.heads, g.channels]);
  const left = project(linL);
  const right = project(linR);
  // hidden[i, j] = leaky_relu(left_j + right_i): [N(i), N(j), H, C]
  const hidden = tf.leakyRelu(
    tf.add(tf.expandDims(left, 0), tf.expandDims(right, 1)),
    g.negativeSlope,
  );
  const scores = tf.transpose(tf.sum(tf.mul(hidden, att), 3), [2, 0, 1]); // [H, N(i), N(j)]
  const alpha = maskedSoftmaxOverSources(scores, g.adjacency);
  const out = tf.matMul(alpha, tf.transpose(left, [1, 0, 2]));
  return finish(tf.transpose(out, [1, 0, 2]), g, bias);
}

/** `[i][j] = 1` for each edge `j → i`, plus the diagonal (the self loops the layers add). */
export function adjacencyWithLoops(sources: number[], targets: number[], n: number): number[][] {
  const adjacency = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  sources.forEach((j, e) => {
    adjacency[targets[e]][j] = 1;
  });
  return adjacency;
}
