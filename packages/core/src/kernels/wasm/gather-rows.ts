import type * as tf from '@tensorflow/tfjs-core';
import { GATHER_ROWS } from '../names.js';
import type { WasmHeapBackend } from './heap.js';

/**
 * tfjs-backend-wasm's GatherV2 computes every element's source index on its own: 1024 rows of
 * GPT-2's token embedding (768 floats each) took 30 ms, whatever the table's size. Here each row
 * is one copy, heap to heap. An index outside the table is an error naming it (tfjs-wasm reads
 * whatever lies there).
 */
function gatherRowsWasm({
  inputs,
  backend,
}: {
  inputs: { x: tf.TensorInfo; indices: tf.TensorInfo };
  backend: WasmHeapBackend;
}): tf.TensorInfo {
  const { x, indices } = inputs;
  const rows = x.shape[0];
  const rowSize = x.shape.slice(1).reduce((n, d) => n * d, 1);
  const ids = backend.typedArrayFromHeap(indices);
  const count = ids.length;
  // Checked before the output exists, so an error leaves nothing allocated.
  for (let i = 0; i < count; i++) {
    if (!(ids[i] >= 0 && ids[i] < rows)) {
      throw new Error(`gather: index ${ids[i]} at position ${i} is outside [0, ${rows})`);
    }
  }
  const out = backend.makeOutput([count, ...x.shape.slice(1)], x.dtype);
  // Views after makeOutput: allocating may grow (and so detach) the heap.
  const [src, at, dst] = [x, indices, out].map((t) => backend.typedArrayFromHeap(t));
  for (let i = 0; i < count; i++) {
    const start = at[i] * rowSize;
    dst.set(src.subarray(start, start + rowSize), i * rowSize);
  }
  return out;
}

export const gatherRowsWasmConfig: tf.KernelConfig = {
  kernelName: GATHER_ROWS,
  backendName: 'wasm',
  kernelFunc: gatherRowsWasm as unknown as tf.KernelFunc,
};
