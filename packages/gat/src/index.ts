export { EdgeIndex, type EdgeIndexInput } from './graph/edge-index.js';
export type { TokenGraph } from './graph/token-graph.js';
export type { SparseForwardOptions, WithAttentionWeights } from './layers/attention-weights.js';
export { type DenseForwardOptions, DenseGATConv } from './layers/dense-gat-conv.js';
export { GATConv } from './layers/gat-conv.js';
export { GATv2Conv, type GATv2Options } from './layers/gatv2-conv.js';
export {
  type GraphAttentionConfig,
  type GraphAttentionForwardOptions,
  GraphAttentionLayer,
} from './layers/graph-attention-layer.js';
export type { GATOptions } from './layers/options.js';
