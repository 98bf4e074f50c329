import {
  type CheckpointFiles,
  type HubOptions,
  openCheckpoint,
  openCheckpointSafetensors,
  refuseOverwrite,
  splitHubOptions,
  writeSafetensors,
} from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { assertAdapterName } from './adapter-name.js';
import type { LoraConfig } from './config.js';
import { fromPeftJson, toPeftJson } from './peft-json.js';

/** PEFT's file names. */
export const ADAPTER_CONFIG_NAME = 'adapter_config.json';
export const ADAPTER_WEIGHTS_NAME = 'adapter_model.safetensors';
const PICKLE_WEIGHTS_NAME = 'adapter_model.bin';

export interface SavePretrainedOptions {
  /** Adapters to write (default: all). */
  selectedAdapters?: string[];
  /** Replace existing adapter files (default false: an existing file is an error). */
  overwrite?: boolean;
  /** Written as `base_model_name_or_path` when the adapter config has none. */
  baseModelNameOrPath?: string;
}

export interface LoadAdapterOptions extends HubOptions {
  /** Train the loaded adapter (default false: frozen, and the model in eval mode), as PEFT's `is_trainable`. */
  isTrainable?: boolean;
}

/**
 * Writes one adapter in PEFT's layout: into `dir` for `default`, `dir/<name>` otherwise. The config
 * is saved with `inference_mode: true`, as PEFT does; weights with `{"format": "pt"}` metadata.
 */
export async function saveAdapterFiles(
  dir: string,
  adapterName: string,
  config: LoraConfig,
  tensors: Record<string, tf.Tensor>,
  options: SavePretrainedOptions,
): Promise<void> {
  assertAdapterName(adapterName);
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const outDir = adapterName === 'default' ? dir : path.join(dir, adapterName);
  const configPath = path.join(outDir, ADAPTER_CONFIG_NAME);
  const weightsPath = path.join(outDir, ADAPTER_WEIGHTS_NAME);
  await refuseOverwrite([configPath, weightsPath], options.overwrite);
  await fs.mkdir(outDir, { recursive: true });
  const saved = config.copy({
    inferenceMode: true,
    baseModelNameOrPath: config.baseModelNameOrPath ?? options.baseModelNameOrPath ?? null,
  });
  await writeSafetensors(weightsPath, tensors, {
    metadata: { format: 'pt' },
    overwrite: options.overwrite,
  });
  await fs.writeFile(configPath, toPeftJson(saved));
}

/**
 * Reads a PEFT adapter from a folder, an http(s) base URL or a Hub repository (the resolution rule
 * of every `fromPretrained`). The config's `inference_mode` is set from `isTrainable`. Missing
 * files are reported by name; a pickle-only adapter (`adapter_model.bin`) is refused.
 */
export async function loadAdapterFiles(
  nameOrPath: string,
  options: LoadAdapterOptions,
): Promise<{ config: LoraConfig; tensors: Record<string, tf.Tensor>; weightsPath: string }> {
  const [hubOptions] = splitHubOptions(options);
  const files = await openCheckpoint(nameOrPath, hubOptions);
  const configPath = files.describe(ADAPTER_CONFIG_NAME);
  const weightsPath = files.describe(ADAPTER_WEIGHTS_NAME);
  const text = await files.optionalText(ADAPTER_CONFIG_NAME).catch((error: Error) => {
    throw new Error(`${configPath}: ${error.message}`);
  });
  if (text === undefined) {
    throw new Error(
      `${configPath} not found: a PEFT adapter holds ${ADAPTER_CONFIG_NAME} and ${ADAPTER_WEIGHTS_NAME}`,
    );
  }
  const config = fromPeftJson(text, configPath).copy({ inferenceMode: !options.isTrainable });
  if (!(await files.exists(ADAPTER_WEIGHTS_NAME))) {
    const pickle = await files.exists(PICKLE_WEIGHTS_NAME);
    throw new Error(
      pickle
        ? `${weightsPath} not found; ${PICKLE_WEIGHTS_NAME} (a PyTorch pickle) is not supported: re-save the adapter with safe_serialization=True`
        : `${weightsPath} not found`,
    );
  }
  return { config, tensors: await readAll(files, ADAPTER_WEIGHTS_NAME), weightsPath };
}

/** Every tensor of a (small) adapter file. */
async function readAll(files: CheckpointFiles, name: string): Promise<Record<string, tf.Tensor>> {
  const file = await openCheckpointSafetensors(files, name);
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const key of file.keys()) out[key] = await file.tensor(key);
  } catch (error) {
    tf.dispose(Object.values(out));
    throw error;
  } finally {
    await file.close();
  }
  return out;
}
