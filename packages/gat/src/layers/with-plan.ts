import { EdgeIndex, type EdgeIndexInput } from '../graph/edge-index.js';
import type { EdgePlan } from '../graph/edge-plan.js';

/**
 * Runs `fn` with the device plan of `edgeIndex` for `numNodes` nodes. A prepared `EdgeIndex` keeps
 * its plan cached; a plan built from plain arrays for this call alone is freed afterwards.
 */
export function withEdgePlan<T>(
  edgeIndex: EdgeIndexInput,
  numNodes: number,
  addSelfLoops: boolean,
  fn: (plan: EdgePlan) => T,
): T {
  const graph = EdgeIndex.from(edgeIndex);
  try {
    return fn(graph.plan(numNodes, addSelfLoops));
  } finally {
    if (graph !== edgeIndex) graph.dispose();
  }
}
