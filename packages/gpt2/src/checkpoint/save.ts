import { type Module, refuseOverwrite, writeSafetensors } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { GPT2Config } from '../config.js';
import { CONFIG_FILE, WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './files.js';
import { TIED_HEAD_KEY } from './keys.js';

export interface SavePretrainedOptions {
  /** Replace existing checkpoint files in `dir`. Default false: they are an error. */
  overwrite?: boolean;
  /** Storage dtype of the weights. Default F32 (exact round trip). */
  floatDtype?: 'F32' | 'F16';
  /** Largest shard in bytes before the weights are split (Hugging Face's default: 5 GB). */
  maxShardSize?: number;
}

const BYTES = { F32: 4, F16: 2 } as const;

/**
 * Writes a Hugging Face checkpoint folder: `config.json` and the state dict as safetensors
 * (`transformer.`-prefixed keys, the tied `lm_head.weight` left out, metadata `format: pt`), in one
 * file or in shards with a `model.safetensors.index.json`. Tensors are written one at a time.
 */
export async function savePretrained(
  model: Module & { config: GPT2Config },
  dir: string,
  options: SavePretrainedOptions = {},
): Promise<void> {
  const { mkdir, rm, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { overwrite = false, floatDtype = 'F32', maxShardSize = 5e9 } = options;
  const tensors = model.stateDict();
  if (model.config.tieWordEmbeddings) delete tensors[TIED_HEAD_KEY];
  const shards = splitShards(tensors, maxShardSize, BYTES[floatDtype]);
  const weightFiles =
    shards.length === 1
      ? [WEIGHTS_FILE]
      : shards.map((_, i) => `model-${pad5(i + 1)}-of-${pad5(shards.length)}.safetensors`);
  const written = [CONFIG_FILE, ...weightFiles, ...(shards.length > 1 ? [WEIGHTS_INDEX_FILE] : [])];
  await mkdir(dir, { recursive: true });
  await refuseOverwrite(
    [...written, WEIGHTS_FILE, WEIGHTS_INDEX_FILE].map((name) => join(dir, name)),
    overwrite,
  );
  if (overwrite) {
    // The other layout's entry point would shadow or contradict what is written now.
    await rm(join(dir, shards.length === 1 ? WEIGHTS_INDEX_FILE : WEIGHTS_FILE), { force: true });
  }
  const config = model.config.toJSON();
  config.architectures ??= ['GPT2LMHeadModel'];
  await writeFile(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  const metadata = { format: 'pt' };
  for (const [i, shard] of shards.entries()) {
    await writeSafetensors(join(dir, weightFiles[i]), shard, { metadata, floatDtype, overwrite });
  }
  if (shards.length > 1) {
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      for (const key of Object.keys(shard)) weightMap[key] = weightFiles[i];
    });
    const totalSize = Object.values(tensors).reduce((n, t) => n + t.size * BYTES[floatDtype], 0);
    const index = { metadata: { total_size: totalSize }, weight_map: sortKeys(weightMap) };
    await writeFile(join(dir, WEIGHTS_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  }
}

/** Fills shards in key order, starting a new one when the next tensor would pass `maxBytes`. */
function splitShards(
  tensors: Record<string, tf.Tensor>,
  maxBytes: number,
  bytesPerValue: number,
): Record<string, tf.Tensor>[] {
  if (!(maxBytes > 0))
    throw new Error(`maxShardSize must be a positive number of bytes, got ${maxBytes}`);
  const shards: Record<string, tf.Tensor>[] = [{}];
  let size = 0;
  for (const key of Object.keys(tensors).sort()) {
    const bytes = tensors[key].size * bytesPerValue;
    if (size > 0 && size + bytes > maxBytes) {
      shards.push({});
      size = 0;
    }
    shards[shards.length - 1][key] = tensors[key];
    size += bytes;
  }
  return shards;
}

function pad5(n: number): string {
  return String(n).padStart(5, '0');
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}
