import type * as tf from '@tensorflow/tfjs-core';
import { openSafetensors, SafetensorsError, type SafetensorsFile } from './read.js';
import { resolveShardLocation } from './shard-location.js';

/** A sharded checkpoint on disk (`…/model.safetensors.index.json` next to its shards). */
export async function openShardedSafetensorsFile(indexPath: string): Promise<SafetensorsFile> {
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    throw new SafetensorsError(indexPath, `cannot read sharded index: ${(error as Error).message}`);
  }
  return openShardedSafetensors(indexPath, text, (file) =>
    openSafetensors(join(dirname(indexPath), file)),
  );
}

/**
 * A sharded checkpoint (`model.safetensors.index.json` + its shards) presented as one file. The
 * index's `weight_map` says which shard holds each tensor; every shard is opened up front (through
 * `openShard`, which may read a folder or a URL) so a missing shard or a key the shard lacks is
 * reported before any tensor is read.
 */
export async function openShardedSafetensors(
  indexLabel: string,
  indexText: string,
  openShard: (file: string) => Promise<SafetensorsFile>,
): Promise<SafetensorsFile> {
  let index: { metadata?: Record<string, unknown>; weight_map?: Record<string, string> };
  try {
    index = JSON.parse(indexText);
  } catch (error) {
    throw new SafetensorsError(
      indexLabel,
      `cannot read sharded index: ${(error as Error).message}`,
    );
  }
  const weightMap = index?.weight_map;
  if (!weightMap || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
    throw new SafetensorsError(indexLabel, "index has no 'weight_map' object");
  }
  // Every shard name is checked (one path rule for folders and URLs) before any file is opened.
  for (const [name, file] of Object.entries(weightMap))
    resolveShardLocation(indexLabel, file, name);
  const shards = new Map<string, SafetensorsFile>();
  const closeAll = () => Promise.all([...shards.values()].map((s) => s.close()));
  try {
    for (const file of new Set(Object.values(weightMap))) shards.set(file, await openShard(file));
    for (const [name, file] of Object.entries(weightMap)) {
      if (!shards.get(file)!.has(name)) {
        throw new SafetensorsError(
          indexLabel,
          `weight_map puts '${name}' in '${file}', which does not contain it`,
        );
      }
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const shardOf = (name: string) => {
    const file = weightMap[name];
    if (file === undefined) throw new SafetensorsError(indexLabel, `no tensor named '${name}'`);
    return shards.get(file)!;
  };
  return {
    source: indexLabel,
    metadata: Object.fromEntries(
      Object.entries(index.metadata ?? {}).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v),
      ]),
    ),
    keys: () => Object.keys(weightMap),
    has: (name) => Object.hasOwn(weightMap, name),
    info: (name) => shardOf(name).info(name),
    tensor: (name): Promise<tf.Tensor> => shardOf(name).tensor(name),
    close: async () => {
      await closeAll();
    },
  };
}
