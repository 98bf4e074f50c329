import * as tf from '@tensorflow/tfjs-core';
import { buildEdgePlan, type EdgePlan } from './edge-plan.js';

/** A graph as PyG's `edge_index`: row 0 holds the source `j`, row 1 the target `i` (`j → i`). */
export type EdgeIndexInput = EdgeIndex | readonly ArrayLike<number>[];

/**
 * A validated edge list kept on the host, plus the device-side plans built from it.
 *
 * Layers read the graph's structure (self loops, per-target grouping, range checks) on the host,
 * and a forward pass must stay synchronous (training runs it inside `tf.variableGrads`), so an
 * `edge_index` tensor is read once, asynchronously, with `await EdgeIndex.fromTensor(t)`. Plain
 * arrays are accepted directly. Plans are cached per node count: call `dispose()` to free them.
 */
export class EdgeIndex {
  private readonly plans = new Map<string, EdgePlan>();
  private readonly largestNode: number;

  private constructor(
    readonly sources: Int32Array,
    readonly targets: Int32Array,
  ) {
    let largest = -1;
    for (let e = 0; e < sources.length; e++) {
      largest = Math.max(largest, sources[e], targets[e]);
    }
    this.largestNode = largest;
  }

  get numEdges(): number {
    return this.sources.length;
  }

  /** `[sources, targets]` (two equal-length integer arrays), or an `EdgeIndex` (returned as is). */
  static from(input: EdgeIndexInput): EdgeIndex {
    if (input instanceof EdgeIndex) return input;
    if (input instanceof tf.Tensor) {
      throw new TypeError(
        'edgeIndex is a tensor: read it once with `await EdgeIndex.fromTensor(edgeIndex)` ' +
          '(layers need the graph on the host and never read tensors synchronously)',
      );
    }
    if (!Array.isArray(input) || input.length !== 2) {
      throw new TypeError(
        `edgeIndex must be [sources, targets] (shape [2, numEdges]), got ${describe(input)}`,
      );
    }
    const [sources, targets] = input;
    if (sources.length !== targets.length) {
      throw new RangeError(
        `edgeIndex rows differ in length: ${sources.length} sources, ${targets.length} targets`,
      );
    }
    return new EdgeIndex(toNodeIds(sources, 0), toNodeIds(targets, 1));
  }

  /** Reads and validates an `edge_index` tensor: int32, shape `[2, numEdges]`. */
  static async fromTensor(edgeIndex: tf.Tensor): Promise<EdgeIndex> {
    if (edgeIndex.rank !== 2 || edgeIndex.shape[0] !== 2) {
      throw new RangeError(`edgeIndex must have shape [2, numEdges], got [${edgeIndex.shape}]`);
    }
    if (edgeIndex.dtype !== 'int32') {
      throw new TypeError(
        `edgeIndex must be an int32 tensor, got ${edgeIndex.dtype} (tfjs has no int64; ` +
          'cast node ids with tf.cast(edgeIndex, "int32"))',
      );
    }
    const values = (await edgeIndex.data()) as Int32Array;
    const numEdges = edgeIndex.shape[1];
    return EdgeIndex.from([values.subarray(0, numEdges), values.subarray(numEdges)]);
  }

  /** The device-side plan for a graph of `numNodes` nodes (cached). */
  plan(numNodes: number, addSelfLoops: boolean): EdgePlan {
    this.checkRange(numNodes);
    const key = `${numNodes}:${addSelfLoops}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = buildEdgePlan(this.sources, this.targets, numNodes, addSelfLoops);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Frees the cached device plans (the host edge list stays usable). */
  dispose(): void {
    for (const plan of this.plans.values()) plan.dispose();
    this.plans.clear();
  }

  private checkRange(numNodes: number): void {
    if (this.largestNode < numNodes) return;
    for (const [row, ids] of [this.sources, this.targets].entries()) {
      const e = ids.findIndex((id) => id >= numNodes);
      if (e >= 0) {
        throw new RangeError(
          `edgeIndex[${row}][${e}] = ${ids[e]} is out of range for a graph of ${numNodes} nodes ` +
            `(x has ${numNodes} rows)`,
        );
      }
    }
  }
}

function toNodeIds(values: ArrayLike<number>, row: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let e = 0; e < values.length; e++) {
    const id = values[e];
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      throw new RangeError(`edgeIndex[${row}][${e}] = ${id} is not a valid node index`);
    }
    out[e] = id;
  }
  return out;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return value === null ? 'null' : typeof value;
}
