import { openSafetensorsSource, type SafetensorsFile } from '../safetensors/read.js';
import { openShardedSafetensors } from '../safetensors/sharded.js';
import type { CheckpointFiles } from './checkpoint-files.js';

/**
 * Opens a checkpoint's safetensors file, or — for a name ending in `.index.json` — its sharded
 * set, fetching the index and then each shard through the same `CheckpointFiles`.
 */
export async function openCheckpointSafetensors(
  files: CheckpointFiles,
  name: string,
): Promise<SafetensorsFile> {
  if (!name.endsWith('.index.json')) return openSafetensorsSource(await files.open(name));
  return openShardedSafetensors(files.describe(name), await files.text(name), async (shard) =>
    openSafetensorsSource(await files.open(shard)),
  );
}
