import { GPT2Config } from '../config.js';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** Reads `dir/config.json`, with errors that name the file. */
export async function readConfig(dir: string): Promise<GPT2Config> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const path = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the model config (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return GPT2Config.fromJSON(json as Record<string, unknown>, path);
}

/**
 * The weights of a checkpoint folder, in Hugging Face's order of preference: `model.safetensors`,
 * then the sharded `model.safetensors.index.json`.
 */
export async function findWeights(dir: string): Promise<string> {
  const { readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new Error(`${dir}: cannot read the checkpoint folder (${(error as Error).message})`);
  }
  for (const name of [WEIGHTS_FILE, WEIGHTS_INDEX_FILE]) {
    if (names.includes(name)) return join(dir, name);
  }
  const pickle = names.find((n) => n === 'pytorch_model.bin' || n.endsWith('.bin'));
  const hint = pickle
    ? ` Found ${pickle}: PyTorch pickles are not read; re-save with save_pretrained(dir, safe_serialization=True).`
    : '';
  throw new Error(`${dir}: no ${WEIGHTS_FILE} or ${WEIGHTS_INDEX_FILE}.${hint}`);
}
