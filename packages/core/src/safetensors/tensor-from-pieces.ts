import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from '../kernels/wasm/heap.js';
import type { PieceWriter } from './byte-source.js';

/** tfjs dtypes a tensor can be filled with as bytes (little-endian, 4 per value). */
export type RawTensorDtype = 'float32' | 'int32';

/**
 * A new tensor of `shape` filled by `fill` with its values' little-endian bytes, delivered in
 * pieces (`ByteSource.stream`, through `widenFloats` for stored F16/BF16/F64). On wasm the tensor is allocated in the wasm heap first and each
 * piece is copied straight into it, so no copy of the whole tensor exists outside the heap: with
 * a JS copy of GPT-2's 154 MB embedding in flight while the rest of the model sat in the heap,
 * loading peaked at 1.44× the weights (bench/cases/load-url.mjs). Elsewhere the pieces fill a
 * typed array that becomes the tensor, as `tf.tensor` makes one. If `fill` throws, nothing is left.
 */
export async function tensorFromPieces(
  shape: number[],
  dtype: RawTensorDtype,
  fill: (write: PieceWriter) => Promise<void>,
): Promise<tf.Tensor> {
  const heap = wasmHeap(tf.backend());
  if (heap) return fillInHeap(heap, shape, dtype, fill);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
  const bytes = new Uint8Array(values.buffer);
  await fill((piece, at) => bytes.set(piece, at));
  return tf.tensor(values, shape, dtype);
}

/** The backend as tfjs-backend-wasm, where it is that backend (it has a heap to write into). */
function wasmHeap(backend: tf.KernelBackend): WasmHeapBackend | null {
  const candidate = backend as unknown as Partial<WasmHeapBackend>;
  return tf.getBackend() === 'wasm' &&
    typeof candidate.makeOutput === 'function' &&
    typeof candidate.typedArrayFromHeap === 'function'
    ? (candidate as WasmHeapBackend)
    : null;
}

async function fillInHeap(
  backend: WasmHeapBackend,
  shape: number[],
  dtype: RawTensorDtype,
  fill: (write: PieceWriter) => Promise<void>,
): Promise<tf.Tensor> {
  const info = backend.makeOutput(shape, dtype);
  const tensor = tf.engine().makeTensorFromTensorInfo(info);
  try {
    await fill((piece, at) => {
      // A fresh view for every piece: an allocation elsewhere while `fill` awaits may grow (and
      // so detach or replace) the heap's buffer.
      const values = backend.typedArrayFromHeap(info);
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength).set(piece, at);
    });
  } catch (error) {
    tensor.dispose();
    throw error;
  }
  return tensor;
}
