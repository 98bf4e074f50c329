import { type CheckpointFiles, HubError, parseJsonFile } from '@lgpt/core';
import { GPT2Config } from '../config.js';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** Reads the checkpoint's `config.json`, with errors that name the file. */
export async function readConfig(files: CheckpointFiles): Promise<GPT2Config> {
  const where = files.describe(CONFIG_FILE);
  const text = await files.text(CONFIG_FILE).catch((error: Error) => {
    // Download errors already name the file, the revision and the remedy.
    if (error instanceof HubError) throw error;
    throw new Error(`${where}: cannot read the model config (${error.message})`);
  });
  return GPT2Config.fromJSON(parseJsonFile(text, where), where);
}

/**
 * The weights of a checkpoint, in Hugging Face's order of preference: `model.safetensors`, then
 * the sharded `model.safetensors.index.json`.
 */
export async function findWeights(files: CheckpointFiles): Promise<string> {
  const names = await files.list?.();
  for (const name of [WEIGHTS_FILE, WEIGHTS_INDEX_FILE]) {
    if (names ? names.includes(name) : await files.exists(name)) return name;
  }
  const pickle = names?.find((n) => n === 'pytorch_model.bin' || n.endsWith('.bin'));
  const hint = pickle
    ? ` Found ${pickle}: PyTorch pickles are not read; re-save with save_pretrained(dir, safe_serialization=True).`
    : '';
  throw new Error(`${files.location}: no ${WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}.${hint}`);
}
