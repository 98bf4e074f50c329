import './register.js';

export { ACTIVATIONS, activation, geluErf, geluTanh, silu } from './activations.js';
export {
  type AttentionCache,
  type FusedAttentionOptions,
  type FusedAttentionResult,
  fusedAttention,
} from './attention.js';
export {
  type BackendName,
  ensureGradients,
  type InitBackendOptions,
  initBackend,
  type WebGPUAdapterChoice,
} from './backend.js';
export { type CustomGradResult, customGrad } from './custom-grad.js';
export {
  applyDropoutMask,
  Dropout,
  dropout,
  dropoutMask,
  recordDropoutMasks,
  replayDropoutMasks,
} from './dropout.js';
export { Embedding, type EmbeddingOptions, embeddingLookup } from './embedding.js';
export { type CheckpointFiles, openCheckpoint, parseJsonFile } from './hub/checkpoint-files.js';
export { openCheckpointSafetensors } from './hub/checkpoint-safetensors.js';
export { HubError, type HubErrorCode } from './hub/errors.js';
export { type CheckpointLocation, resolveLocation, SIZE_NAME_REPOS } from './hub/location.js';
export type { DownloadProgress } from './hub/progress.js';
export { type HubOptions, hubCacheDir, splitHubOptions } from './hub/settings.js';
export { glorot, kaimingUniform, normal, uniform, withoutInit } from './init.js';
export { shareWasmIdentity } from './kernels/wasm/identity.js';
export { LayerNorm, layerNorm } from './layer-norm.js';
export {
  Conv1D,
  type Conv1DOptions,
  isLinearLike,
  Linear,
  type LinearLike,
  type LinearOptions,
  linear,
} from './linear.js';
export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  ModuleDict,
  ModuleList,
  type NamedParameterOptions,
  type Parameter,
  StateDictError,
} from './module.js';
export { batchMatMul } from './ops/batch-matmul.js';
export { gatherRows, scatterAddRows, segmentSum } from './ops/segment.js';
export { slice, split } from './ops/slice.js';
export { transposeMatrix } from './ops/transpose.js';
export { linearProducts, multipliesByGemm, withoutWeightProducts } from './ops/weight-matmul.js';
export { refuseOverwrite } from './overwrite.js';
export { getDefaultRng, manualSeed, Rng, type RngState } from './rng.js';
export type { ByteSource } from './safetensors/byte-source.js';
export { DTYPE_BYTES, type SafetensorsDtype } from './safetensors/dtypes.js';
export {
  openSafetensors,
  openSafetensorsSource,
  readSafetensors,
  SafetensorsError,
  type SafetensorsFile,
  type TensorInfo,
} from './safetensors/read.js';
export { resolveShardLocation } from './safetensors/shard-location.js';
export {
  serializeSafetensors,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors/write.js';
export { sameShape } from './shape.js';
export { stopGradient } from './stop-gradient.js';
export { wasmThreads } from './wasm-threads.js';
