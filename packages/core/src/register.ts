/**
 * The package's only side effect: registers lgpt's own kernels (and the gradients of those run
 * outside a custom gradient) with the tfjs-core registries. It replaces no tfjs kernel: that is
 * `initBackend`'s job (`shareWasmIdentity`). Registering for a backend that is not loaded is
 * harmless (the registry is keyed by name); a second copy of the package (ESM and CJS both loaded)
 * does not register again.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dropoutMaskGradConfig } from './grads/dropout-mask.js';
import { sliceGradConfig, splitGradConfig } from './grads/slice.js';
import { attentionWasmConfig } from './kernels/wasm/attention.js';
import { batchMatMulWasmConfig } from './kernels/wasm/batch-matmul.js';
import { dropoutMaskWasmConfig } from './kernels/wasm/dropout-mask.js';
import { gatherRowsWasmConfig } from './kernels/wasm/gather-rows.js';
import { geluTanhGradWasmConfig, geluTanhWasmConfig } from './kernels/wasm/gelu.js';
import { gemmWasmConfig } from './kernels/wasm/gemm.js';
import { layerNormWasmConfig } from './kernels/wasm/layer-norm.js';
import { sliceWasmConfig } from './kernels/wasm/slice.js';
import { splitWasmConfig } from './kernels/wasm/split.js';
import { geluTanhGradWebGPUConfig, geluTanhWebGPUConfig } from './kernels/webgpu/gelu.js';
import { layerNormWebGPUConfig } from './kernels/webgpu/layer-norm.js';

for (const config of [
  attentionWasmConfig,
  batchMatMulWasmConfig,
  dropoutMaskWasmConfig,
  gatherRowsWasmConfig,
  geluTanhGradWasmConfig,
  geluTanhWasmConfig,
  gemmWasmConfig,
  layerNormWasmConfig,
  sliceWasmConfig,
  splitWasmConfig,
  geluTanhWebGPUConfig,
  geluTanhGradWebGPUConfig,
  layerNormWebGPUConfig,
]) {
  if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
}
for (const config of [dropoutMaskGradConfig, sliceGradConfig, splitGradConfig]) {
  if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
