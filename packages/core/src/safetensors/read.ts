import * as tf from '@tensorflow/tfjs-core';
import type { ByteSource, PieceWriter } from './byte-source.js';
import { openByteSource } from './byte-source.js';
import { DTYPE_BYTES, decodeIntegers, isKnownDtype, type SafetensorsDtype } from './dtypes.js';
import { tensorFromPieces } from './tensor-from-pieces.js';
import { widenFloats } from './widen-floats.js';

/** The safetensors reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** `[begin, end)` byte offsets relative to the start of the data buffer. */
  dataOffsets: [number, number];
}

/** A safetensors file (or a sharded set) opened lazily: tensors are read one at a time. */
export interface SafetensorsFile {
  /** The path (or `<bytes>`) shown in error messages. */
  readonly source: string;
  readonly metadata: Record<string, string>;
  keys(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /** Reads one tensor from disk as a float32 / int32 / bool tfjs tensor. */
  tensor(name: string): Promise<tf.Tensor>;
  close(): Promise<void>;
}

export class SafetensorsError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/**
 * Opens a safetensors file without reading its tensors: from a path (Node), from bytes already in
 * memory, or — for a path ending in `.index.json` — a sharded checkpoint as one file.
 */
export async function openSafetensors(
  source: string | Uint8Array | ArrayBuffer,
): Promise<SafetensorsFile> {
  if (typeof source === 'string' && source.endsWith('.index.json')) {
    const { openShardedSafetensorsFile } = await import('./sharded.js');
    return openShardedSafetensorsFile(source);
  }
  return openSafetensorsSource(await openByteSource(source));
}

/** Opens a safetensors file from any `ByteSource` (a file, a URL read by ranges, a Blob). */
export async function openSafetensorsSource(bytes: ByteSource): Promise<SafetensorsFile> {
  try {
    return await openSingle(bytes);
  } catch (error) {
    await bytes.close();
    throw error;
  }
}

/** Reads every tensor of a safetensors file (or sharded set) into memory. */
export async function readSafetensors(
  source: string | Uint8Array | ArrayBuffer,
): Promise<Record<string, tf.Tensor>> {
  const file = await openSafetensors(source);
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const key of file.keys()) out[key] = await file.tensor(key);
  } catch (error) {
    tf.dispose(out);
    throw error;
  } finally {
    await file.close();
  }
  return out;
}

async function openSingle(bytes: ByteSource): Promise<SafetensorsFile> {
  const label = bytes.label;
  if (bytes.size < 8) {
    throw new SafetensorsError(
      label,
      `file is ${bytes.size} bytes, too small to hold the 8-byte header length`,
    );
  }
  const lengthBytes = await bytes.read(0, 8);
  const headerLength = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(
    0,
    true,
  );
  if (headerLength > BigInt(MAX_HEADER_BYTES) || 8n + headerLength > BigInt(bytes.size)) {
    throw new SafetensorsError(
      label,
      `header length ${headerLength} is larger than the file (${bytes.size} bytes) or the 100 MB limit; not a safetensors file or truncated`,
    );
  }
  const n = Number(headerLength);
  const headerBytes = await bytes.read(8, n);
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(label, 'header is not valid UTF-8');
  }
  const dataStart = 8 + n;
  const { tensors, metadata } = parseHeader(headerText, bytes.size - dataStart, label);

  return {
    source: label,
    metadata,
    keys: () => [...tensors.keys()],
    has: (name) => tensors.has(name),
    info: (name) => lookup(tensors, name, label),
    async tensor(name) {
      const info = lookup(tensors, name, label);
      const [begin, end] = info.dataOffsets;
      const stream = (write: PieceWriter) => bytes.stream(dataStart + begin, end - begin, write);
      // Floats and int32 stream into the tensor as they arrive (F32 and I32 bytes are the values
      // as they are); the other integers and BOOL, rarely large, are read whole and converted.
      switch (info.dtype) {
        case 'F32':
          return tensorFromPieces(info.shape, 'float32', stream);
        case 'I32':
          return tensorFromPieces(info.shape, 'int32', stream);
        case 'F16':
        case 'BF16':
        case 'F64': {
          const stored = info.dtype;
          return tensorFromPieces(info.shape, 'float32', (write) =>
            stream(widenFloats(stored, write)),
          );
        }
        default: {
          const raw = await bytes.read(dataStart + begin, end - begin);
          const { values, dtype } = decodeIntegers(info.dtype, raw, `${label}: tensor '${name}'`);
          return tf.tensor(values, info.shape, dtype);
        }
      }
    },
    close: () => bytes.close(),
  };
}

function lookup(tensors: Map<string, TensorInfo>, name: string, label: string): TensorInfo {
  const info = tensors.get(name);
  if (!info) throw new SafetensorsError(label, `no tensor named '${name}'`);
  return info;
}

/**
 * Parses and validates a header exactly as the reference implementation does: known dtypes,
 * offsets that match dtype × shape, lie inside the data buffer, and tile it without overlaps or
 * holes.
 */
export function parseHeader(
  text: string,
  dataLength: number,
  label: string,
): { tensors: Map<string, TensorInfo>; metadata: Record<string, string> } {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new SafetensorsError(label, 'header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError(label, 'header must be a JSON object');
  }
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry !== null && (typeof entry !== 'object' || Array.isArray(entry))) {
        throw new SafetensorsError(label, '__metadata__ must be an object of strings');
      }
      for (const [k, v] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          throw new SafetensorsError(label, `__metadata__ value for '${k}' must be a string`);
        }
        metadata[k] = v;
      }
      continue;
    }
    tensors.set(name, parseEntry(name, entry, label));
  }
  // By (begin, end), as the reference sorts `data_offsets`: an empty tensor at [k, k] comes before
  // one starting at k (JSON key order, integer-like keys first, must not decide).
  const ordered = [...tensors.entries()].sort(
    (a, b) =>
      a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1],
  );
  let cursor = 0;
  for (const [name, info] of ordered) {
    const [begin, end] = info.dataOffsets;
    if (end > dataLength) {
      throw new SafetensorsError(
        label,
        `tensor '${name}' data_offsets [${begin}, ${end}] run past the data buffer (${dataLength} bytes); file truncated?`,
      );
    }
    if (begin < cursor) {
      throw new SafetensorsError(
        label,
        `tensor '${name}' data_offsets [${begin}, ${end}] overlap the previous tensor`,
      );
    }
    if (begin > cursor) {
      throw new SafetensorsError(
        label,
        `hole in the data buffer before tensor '${name}' (bytes ${cursor}..${begin})`,
      );
    }
    cursor = end;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(
      label,
      `data buffer has ${dataLength} bytes but the tensors cover ${cursor}: trailing or missing data`,
    );
  }
  return { tensors, metadata };
}

function parseEntry(name: string, entry: unknown, label: string): TensorInfo {
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof e !== 'object' || e === null) {
    throw new SafetensorsError(label, `entry for tensor '${name}' must be an object`);
  }
  if (typeof e.dtype !== 'string' || !isKnownDtype(e.dtype)) {
    throw new SafetensorsError(
      label,
      `tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`,
    );
  }
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(
      label,
      `tensor '${name}' has invalid shape ${JSON.stringify(e.shape)}`,
    );
  }
  const offsets = e.data_offsets;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new SafetensorsError(
      label,
      `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`,
    );
  }
  const shape = e.shape as number[];
  const expectedBytes = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype];
  if (offsets[1] - offsets[0] !== expectedBytes) {
    throw new SafetensorsError(
      label,
      `tensor '${name}' data_offsets span ${offsets[1] - offsets[0]} bytes but ${e.dtype}[${shape}] needs ${expectedBytes}`,
    );
  }
  return { dtype: e.dtype, shape, dataOffsets: [offsets[0], offsets[1]] };
}
