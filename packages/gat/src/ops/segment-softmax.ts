import { customGrad, scatterAddRows } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * How edges group into segments (one segment per target node), precomputed on the host because
 * the graph is known there (see `EdgeIndex`). The doubling scan below needs the edges sorted by
 * segment; everything else works in the caller's edge order.
 */
export interface SegmentLayout {
  numSegments: number;
  /** Segment (target node) of each edge, `[E]` int32. */
  segmentIds: tf.Tensor1D;
  /** Edge positions sorted by segment (stable), `[E]` int32. */
  sortOrder: tf.Tensor1D;
  /**
   * One index array per doubling step: for sorted position k and stride 2^l, `k + 2^l` when that
   * position is still in k's segment, else k itself. ceil(log2(max in-degree)) steps.
   */
  scanSteps: tf.Tensor1D[];
  /** For each edge (caller's order), the sorted position where its segment starts, `[E]` int32. */
  segmentStart: tf.Tensor1D;
}

/**
 * The exact maximum of `scores` (`[E, ...]`) over each edge's segment, returned per edge.
 *
 * tfjs has no segment-max op. A global shift would underflow: a target whose scores all sit ~100
 * below the global maximum would get exp(...) = 0 for every edge and a 0/0 attention. Instead a
 * segmented doubling scan over the sorted edges takes `max(m[k], m[k + 2^l])` while both are in the
 * same segment, so after the last step each segment's first position holds its maximum.
 * Work is E·log2(max in-degree) and nothing N×N is built.
 */
export function segmentMaxPerEdge(scores: tf.Tensor, layout: SegmentLayout): tf.Tensor {
  return tf.tidy(() => {
    let running = tf.gather(scores, layout.sortOrder);
    for (const partner of layout.scanSteps) {
      running = tf.maximum(running, tf.gather(running, partner));
    }
    return tf.gather(running, layout.segmentStart);
  });
}

/**
 * PyTorch Geometric's `softmax(src, index)`: a softmax over the edges of each segment, computed as
 * `exp(e - max) / (Σ exp(e - max) + 1e-16)`. The shift is a constant to the gradient (PyG detaches
 * it; any per-segment shift cancels), and the backward is the softmax Jacobian written with the
 * same segment sums: `dE = α · (dα - Σ_segment dα·α)`.
 */
export function segmentSoftmax(scores: tf.Tensor, layout: SegmentLayout): tf.Tensor {
  const { segmentIds, numSegments } = layout;
  return customGrad(([e], save) => {
    const shifted = tf.exp(tf.sub(e, segmentMaxPerEdge(e, layout)));
    const denominator = tf.add(scatterAddRows(shifted, segmentIds, numSegments), 1e-16);
    const alpha = tf.div(shifted, tf.gather(denominator, segmentIds));
    save([alpha, segmentIds]);
    return {
      value: alpha,
      gradFunc: (dy, [a, ids]) => {
        const segments = ids as tf.Tensor1D;
        const perSegment = scatterAddRows(tf.mul(dy, a), segments, numSegments);
        return [tf.mul(a, tf.sub(dy, tf.gather(perSegment, segments)))];
      },
    };
  })(scores);
}
