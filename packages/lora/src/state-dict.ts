import { sameShape } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LoraModel } from './lora-model.js';

/** PEFT's key prefix: `PeftModel.base_model` (the LoraModel) `.model` (the user's model). */
export const PEFT_KEY_PREFIX = 'base_model.model.';

/** One saved tensor of an adapter: its current value, how to overwrite it, and whether a file must have it. */
export interface AdapterTensor {
  value: tf.Tensor;
  write(value: tf.Tensor): void;
  /** Saved by every PEFT version, so loading fails without it. */
  required: boolean;
}

function variableTensor(variable: tf.Variable, required: boolean): AdapterTensor {
  return {
    value: variable,
    write: (v) =>
      tf.tidy(() => variable.assign(v.dtype === variable.dtype ? v : tf.cast(v, variable.dtype))),
    required,
  };
}

/**
 * Every tensor of adapter `adapterName` under the name PEFT saves it with (adapter name dropped):
 * `…<layer>.lora_A.weight` `[r, in]`, `…lora_B.weight` `[out, r]` (+ `lora_B.bias` with `loraBias`),
 * `…lora_magnitude_vector` `[out]` for DoRA, biases per `bias` (`'all'`: every parameter named
 * like `bias`; `'lora_only'`: `…<layer>.base_layer.bias`), and `modulesToSave` copies as
 * `…<module>.<param>`. The same map serves saving and loading, so the two cannot drift apart.
 */
export function adapterTensors(lora: LoraModel, adapterName: string): Map<string, AdapterTensor> {
  const config = lora.peftConfig[adapterName];
  if (!config) throw new Error(`adapter '${adapterName}' not found`);
  const out = new Map<string, AdapterTensor>();
  const add = (key: string, variable: tf.Variable, required: boolean) =>
    out.set(PEFT_KEY_PREFIX + key, variableTensor(variable, required));
  for (const [path, layer] of lora.loraLayers()) {
    for (const [dictName, dict] of [
      ['lora_A', layer.loraA],
      ['lora_B', layer.loraB],
    ] as const) {
      if (!dict.has(adapterName)) continue;
      for (const [name, p] of dict.get(adapterName).namedParameters())
        add(`${path}.${dictName}.${name}`, p, true);
    }
    if (layer.loraMagnitudeVector.has(adapterName)) {
      add(`${path}.lora_magnitude_vector`, layer.loraMagnitudeVector.get(adapterName).weight, true);
    }
    // PEFT <= 0.20 drops these when saving (huggingface/peft#3306), so they are optional on load.
    if (config.bias === 'lora_only' && layer.bias)
      add(`${path}.base_layer.bias`, layer.bias, false);
  }
  const wrappers = lora.modulesToSaveWrappers();
  if (config.bias === 'all') {
    for (const [name, p] of lora.model.namedParameters()) {
      const inWrapper = wrappers.some(([w]) => name.startsWith(`${w}.`));
      if (name.includes('bias') && !name.includes('lora_') && !inWrapper) add(name, p, false);
    }
  }
  for (const [path, wrapper] of wrappers) {
    if (!wrapper.adapterNames().includes(adapterName)) continue;
    for (const [name, p] of wrapper.modulesToSave.get(adapterName).namedParameters())
      add(`${path}.${name}`, p, true);
  }
  return out;
}

/** PEFT's `get_peft_model_state_dict`: the adapter's tensors by saved name (the live variables, not copies). */
export function getPeftModelStateDict(
  lora: LoraModel,
  adapterName: string,
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [key, { value }] of adapterTensors(lora, adapterName)) out[key] = value;
  return out;
}

/** PEFT's `set_peft_model_state_dict`, strict (see `loadAdapterTensors`). */
export function setPeftModelStateDict(
  lora: LoraModel,
  tensors: Record<string, tf.Tensor>,
  adapterName: string,
  source: string,
): void {
  loadAdapterTensors(
    adapterTensors(lora, adapterName),
    tensors,
    `${source}: adapter '${adapterName}'`,
  );
}

/**
 * Writes `tensors` (keyed as saved) into `targets`, strictly: every key must belong to the adapter,
 * every required tensor must be present and every shape must agree, else nothing is written and the
 * error lists every problem, starting with `label` (file and adapter).
 */
export function loadAdapterTensors(
  targets: Map<string, AdapterTensor>,
  tensors: Record<string, tf.Tensor>,
  label: string,
): void {
  const problems: string[] = [];
  const missing = [...targets].filter(([k, t]) => t.required && !(k in tensors)).map(([k]) => k);
  const unexpected = Object.keys(tensors).filter((k) => !targets.has(k));
  if (missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
  if (unexpected.length) {
    const hint = unexpected.some((k) => !k.startsWith(PEFT_KEY_PREFIX))
      ? ` (PEFT adapter keys start with '${PEFT_KEY_PREFIX}')`
      : ' (no such module in this model, or not part of this adapter config)';
    problems.push(`unexpected keys: ${unexpected.join(', ')}${hint}`);
  }
  for (const [key, value] of Object.entries(tensors)) {
    const target = targets.get(key);
    if (target && !sameShape(target.value.shape, value.shape)) {
      problems.push(
        `size mismatch for ${key}: the file has [${value.shape}], the model expects [${target.value.shape}] (an adapter for a model of another size or rank?)`,
      );
    }
  }
  if (problems.length)
    throw new Error(`${label} does not fit this model:\n  ${problems.join('\n  ')}`);
  for (const [key, value] of Object.entries(tensors)) targets.get(key)!.write(value);
}
