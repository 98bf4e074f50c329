import type * as tf from '@tensorflow/tfjs-core';
import { refuseOverwrite } from '../overwrite.js';
import { DTYPE_BYTES, encodeValues, type WritableDtype } from './dtypes.js';

export interface WriteSafetensorsOptions {
  /** String metadata stored under `__metadata__` (e.g. `{ format: 'pt' }`). */
  metadata?: Record<string, string>;
  /** Storage dtype of float tensors: one for all, or per tensor name. Default F32. */
  floatDtype?: 'F32' | 'F16' | Record<string, 'F32' | 'F16'>;
  /** Replace an existing file. Default false: an existing file is an error. */
  overwrite?: boolean;
}

interface Planned {
  name: string;
  tensor: tf.Tensor;
  dtype: WritableDtype;
  begin: number;
  end: number;
}

/** The order of the reference implementation's `Dtype` enum, restricted to what we write. */
const DTYPE_ORDER: Record<WritableDtype, number> = { BOOL: 0, F16: 1, I32: 2, F32: 3 };

/**
 * Lays tensors out like the reference Rust writer (dtype descending in its enum order, then by
 * name, so every tensor starts on a multiple of its element size) and builds the space-padded
 * header.
 */
function plan(
  tensors: Record<string, tf.Tensor>,
  options: WriteSafetensorsOptions,
): { header: Uint8Array; entries: Planned[] } {
  const entries = Object.entries(tensors)
    .map(([name, tensor]) => ({ name, tensor, dtype: storageDtype(name, tensor, options) }))
    .sort(
      (a, b) =>
        DTYPE_ORDER[b.dtype] - DTYPE_ORDER[a.dtype] ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  const json: Record<string, unknown> = {};
  if (options.metadata && Object.keys(options.metadata).length)
    json.__metadata__ = options.metadata;
  let offset = 0;
  const planned: Planned[] = [];
  for (const e of entries) {
    const begin = offset;
    offset += e.tensor.size * DTYPE_BYTES[e.dtype];
    planned.push({ ...e, begin, end: offset });
    json[e.name] = { dtype: e.dtype, shape: e.tensor.shape, data_offsets: [begin, offset] };
  }
  let text = JSON.stringify(json);
  const encoded = new TextEncoder().encode(text);
  text += ' '.repeat((8 - (encoded.byteLength % 8)) % 8);
  const headerJson = new TextEncoder().encode(text);
  const header = new Uint8Array(8 + headerJson.byteLength);
  new DataView(header.buffer).setBigUint64(0, BigInt(headerJson.byteLength), true);
  header.set(headerJson, 8);
  return { header, entries: planned };
}

function storageDtype(
  name: string,
  tensor: tf.Tensor,
  options: WriteSafetensorsOptions,
): WritableDtype {
  switch (tensor.dtype) {
    case 'float32': {
      const f = options.floatDtype;
      return (typeof f === 'object' ? f[name] : f) ?? 'F32';
    }
    case 'int32':
      return 'I32';
    case 'bool':
      return 'BOOL';
    default:
      throw new Error(`cannot write tensor '${name}' of dtype ${tensor.dtype} to safetensors`);
  }
}

/** Serialises tensors to safetensors bytes in memory (for browsers, or small files). */
export async function serializeSafetensors(
  tensors: Record<string, tf.Tensor>,
  options: WriteSafetensorsOptions = {},
): Promise<Uint8Array> {
  const { header, entries } = plan(tensors, options);
  const total = header.byteLength + (entries.at(-1)?.end ?? 0);
  const out = new Uint8Array(total);
  out.set(header, 0);
  for (const e of entries) {
    out.set(
      encodeValues((await e.tensor.data()) as Float32Array, e.dtype),
      header.byteLength + e.begin,
    );
  }
  return out;
}

/**
 * Writes a safetensors file tensor by tensor (a model never needs to fit in one buffer), to a
 * temporary file that replaces `path` only once complete. An existing `path` is an error unless
 * `overwrite` is set.
 */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, tf.Tensor>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  const fs = await import('node:fs/promises');
  const existing = await fs.stat(path).catch(() => null);
  if (existing?.isDirectory()) {
    // Checked first: overwrite never means replacing a folder with a file.
    throw new Error(`${path} is a directory; writeSafetensors writes a file (give a file path)`);
  }
  await refuseOverwrite([path], options.overwrite);
  const { header, entries } = plan(tensors, options);
  const tmp = `${path}.tmp-${process.pid}`;
  const handle = await fs.open(tmp, 'w');
  try {
    try {
      await handle.write(header);
      for (const e of entries) {
        await handle.write(encodeValues((await e.tensor.data()) as Float32Array, e.dtype));
      }
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (error) {
    // Never leave the partial file behind, whatever failed (a write, or the final rename).
    await fs.rm(tmp, { force: true });
    throw error;
  }
}
