import * as tf from '@tensorflow/tfjs-core';
import type { SegmentLayout } from '../ops/segment-softmax.js';

/**
 * The device-side form of one graph for a given node count: the edges a layer actually uses (with
 * PyG's self-loop handling applied) and the segment layout of the softmax over each target's
 * incoming edges. Built once per (graph, node count, self-loop flag) and cached by `EdgeIndex`.
 */
export interface EdgePlan {
  numNodes: number;
  /** The edges used, in PyG's order: the `edge_index` that `return_attention_weights` reports. */
  sources: Int32Array;
  targets: Int32Array;
  /** Source node of each edge, `[E]` int32. */
  source: tf.Tensor1D;
  /** Grouping by target node; `layout.segmentIds` is the target of each edge. */
  layout: SegmentLayout;
  dispose(): void;
}

export function buildEdgePlan(
  sources: Int32Array,
  targets: Int32Array,
  numNodes: number,
  addSelfLoops: boolean,
): EdgePlan {
  const edges = addSelfLoops
    ? withSelfLoops(sources, targets, numNodes)
    : { sources: sources.slice(), targets: targets.slice() };
  const { order, starts, maxDegree } = sortByTarget(edges.targets, numNodes);
  const numEdges = edges.targets.length;
  const segmentStart = new Int32Array(numEdges);
  for (let e = 0; e < numEdges; e++) segmentStart[e] = starts[edges.targets[e]];

  // The plan outlives the forward pass that builds it, so its tensors escape any enclosing tidy.
  const upload = (values: Int32Array) => tf.keep(tf.tensor1d(values, 'int32'));
  const tensors: tf.Tensor1D[] = [];
  const track = (t: tf.Tensor1D) => {
    tensors.push(t);
    return t;
  };
  return {
    numNodes,
    sources: edges.sources,
    targets: edges.targets,
    source: track(upload(edges.sources)),
    layout: {
      numSegments: numNodes,
      segmentIds: track(upload(edges.targets)),
      sortOrder: track(upload(order)),
      scanSteps: scanPartners(edges.targets, order, starts, maxDegree).map((p) => track(upload(p))),
      segmentStart: track(upload(segmentStart)),
    },
    dispose: () => {
      for (const t of tensors) t.dispose();
    },
  };
}

/**
 * PyG's `remove_self_loops` then `add_self_loops(num_nodes)`: existing `i → i` edges are dropped
 * and one loop per node is appended, in node order, after the remaining edges.
 */
function withSelfLoops(sources: Int32Array, targets: Int32Array, numNodes: number) {
  let kept = 0;
  for (let e = 0; e < sources.length; e++) if (sources[e] !== targets[e]) kept++;
  const outSources = new Int32Array(kept + numNodes);
  const outTargets = new Int32Array(kept + numNodes);
  let k = 0;
  for (let e = 0; e < sources.length; e++) {
    if (sources[e] === targets[e]) continue;
    outSources[k] = sources[e];
    outTargets[k] = targets[e];
    k++;
  }
  for (let i = 0; i < numNodes; i++) {
    outSources[k + i] = i;
    outTargets[k + i] = i;
  }
  return { sources: outSources, targets: outTargets };
}

/** A stable counting sort of edge positions by target node. */
function sortByTarget(targets: Int32Array, numNodes: number) {
  const degree = new Int32Array(numNodes);
  for (const t of targets) degree[t]++;
  const starts = new Int32Array(numNodes);
  let maxDegree = 0;
  for (let i = 0, offset = 0; i < numNodes; i++) {
    starts[i] = offset;
    offset += degree[i];
    maxDegree = Math.max(maxDegree, degree[i]);
  }
  const next = starts.slice();
  const order = new Int32Array(targets.length);
  for (let e = 0; e < targets.length; e++) order[next[targets[e]]++] = e;
  return { order, starts, maxDegree };
}

/** The partner index of each doubling step of the segmented max scan (see `segmentMaxPerEdge`). */
function scanPartners(
  targets: Int32Array,
  order: Int32Array,
  starts: Int32Array,
  maxDegree: number,
): Int32Array[] {
  const segmentEnd = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const t = targets[order[k]];
    segmentEnd[k] = t + 1 < starts.length ? starts[t + 1] : order.length;
  }
  const steps: Int32Array[] = [];
  for (let stride = 1; stride < maxDegree; stride *= 2) {
    const partner = new Int32Array(order.length);
    for (let k = 0; k < order.length; k++) {
      partner[k] = k + stride < segmentEnd[k] ? k + stride : k;
    }
    steps.push(partner);
  }
  return steps;
}
