import { readSafetensors, writeSafetensors } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';
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

export interface LoadAdapterOptions {
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
  if (!options.overwrite) {
    for (const file of [configPath, weightsPath]) {
      if (await fs.stat(file).catch(() => null)) {
        throw new Error(`${file} already exists; pass { overwrite: true } to replace it`);
      }
    }
  }
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
 * Reads a PEFT adapter directory. The config's `inference_mode` is set from `isTrainable`. Missing
 * files are reported by path; a pickle-only adapter (`adapter_model.bin`) is refused.
 */
export async function loadAdapterFiles(
  dir: string,
  options: LoadAdapterOptions,
): Promise<{ config: LoraConfig; tensors: Record<string, tf.Tensor>; weightsPath: string }> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const configPath = path.join(dir, ADAPTER_CONFIG_NAME);
  const weightsPath = path.join(dir, ADAPTER_WEIGHTS_NAME);
  const text = await fs.readFile(configPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'ENOENT'
        ? `${configPath} not found: a PEFT adapter directory holds ${ADAPTER_CONFIG_NAME} and ${ADAPTER_WEIGHTS_NAME}`
        : `${configPath}: ${error.message}`,
    );
  });
  const config = fromPeftJson(text, configPath).copy({ inferenceMode: !options.isTrainable });
  if (!(await fs.stat(weightsPath).catch(() => null))) {
    const pickle = await fs.stat(path.join(dir, PICKLE_WEIGHTS_NAME)).catch(() => null);
    throw new Error(
      pickle
        ? `${weightsPath} not found; ${PICKLE_WEIGHTS_NAME} (a PyTorch pickle) is not supported: re-save the adapter with safe_serialization=True`
        : `${weightsPath} not found`,
    );
  }
  return { config, tensors: await readSafetensors(weightsPath), weightsPath };
}
