/**
 * The package's only side effect: registers lgpt's kernels with the tfjs-core kernel registry.
 * Registering for a backend that is not loaded is harmless (the registry is keyed by name).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_MATMUL, batchMatMulWasmConfig } from './kernels/wasm/batch-matmul.js';

if (!tf.getKernel(BATCH_MATMUL, 'wasm')) tf.registerKernel(batchMatMulWasmConfig);
