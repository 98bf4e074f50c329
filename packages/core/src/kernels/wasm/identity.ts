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

/** tfjs-backend-wasm's own Identity, kept while the sharing one replaces it. */
let original: tf.KernelConfig | undefined;

/**
 * Replaces tfjs-backend-wasm's copying Identity kernel with the buffer-sharing one (`share`
 * true), or puts tfjs's own back (`share` false). It must run after the backend registered its
 * kernels (importing it does), since a plain `registerKernel` would then only warn:
 * `initBackend('wasm')` calls it (option `shareWasmIdentity`, default true); browser code that
 * sets the backend itself calls it after `tf.setBackend('wasm')`. Importing lgpt replaces nothing.
 */
export function shareWasmIdentity(share = true): void {
  const current = tf.getKernel('Identity', 'wasm');
  if (current === undefined) return;
  const sharing = current.kernelFunc === identityWasmConfig.kernelFunc;
  if (share === sharing) return;
  tf.unregisterKernel('Identity', 'wasm');
  if (share) {
    original = current;
    tf.registerKernel(identityWasmConfig);
  } else if (original) {
    tf.registerKernel(original);
  }
}
