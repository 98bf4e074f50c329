import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-backend-wasm's Identity copies its input. The engine runs Identity for every `clone`, and
 * autodiff clones every tensor it saves for the backward pass (each custom gradient's `save`, each
 * recorded op's inputs), so on wasm a training step copied all of its activations once more: about
 * twice the memory and the copying time of the cpu and webgpu backends, whose Identity shares the
 * buffer. This one shares it too (tensors are immutable; the backend reference-counts buffers, as
 * its own Reshape does).
 */
export const identityWasmConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  },
};

/**
 * Puts the sharing Identity in place of the wasm backend's own, once that is registered (the
 * backend registers its kernels when imported, after which a plain `registerKernel` would only
 * warn). Called when @lgpt/core loads, by `initBackend('wasm')` and before every lgpt custom
 * gradient, so it holds whichever of the two packages is imported first.
 */
export function shareWasmIdentity(): void {
  const current = tf.getKernel('Identity', 'wasm');
  if (current === undefined || current.kernelFunc === identityWasmConfig.kernelFunc) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(identityWasmConfig);
}
