import { Module } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';
import { type LoraConfig, type LoraConfigInit, toLoraConfig } from './config.js';
import { type InjectOptions, LoraModel } from './lora-model.js';
import {
  type LoadAdapterOptions,
  loadAdapterFiles,
  type SavePretrainedOptions,
  saveAdapterFiles,
} from './pretrained.js';
import { getPeftModelStateDict, setPeftModelStateDict } from './state-dict.js';
import { trainableLine } from './trainable-line.js';

type ForwardOf<M> = M extends { forward: (...args: infer A) => infer R }
  ? (...args: A) => R
  : (...args: never[]) => never;

export interface FromPretrainedOptions extends LoadAdapterOptions, InjectOptions {
  /** Default `'default'`. */
  adapterName?: string;
}

/**
 * PEFT's `PeftModel` for any `@lgpt/core` module tree: parameters are named
 * `base_model.model.<original path>` as in PEFT, `forward` runs the wrapped model, and adapters are
 * saved and loaded in PEFT's file format.
 */
export class PeftModel<M extends Module = Module> extends Module {
  readonly baseModel: LoraModel<M>;

  constructor(
    model: M,
    config: LoraConfig | LoraConfigInit,
    adapterName = 'default',
    options: InjectOptions = {},
  ) {
    super();
    this.baseModel = this.registerModule(
      'base_model',
      new LoraModel(model, toLoraConfig(config), adapterName, options),
    );
  }

  /**
   * Loads a PEFT adapter (`adapter_config.json` + `adapter_model.safetensors`) onto `model`, from a
   * folder, an http(s) base URL or a Hub id (`owner/name`, with `revision`, `token`, `onProgress`).
   */
  static async fromPretrained<M extends Module>(
    model: M,
    nameOrPath: string,
    options: FromPretrainedOptions = {},
  ): Promise<PeftModel<M>> {
    const adapterName = options.adapterName ?? 'default';
    const { config, tensors, weightsPath } = await loadAdapterFiles(nameOrPath, options);
    const trainable = new Map(model.parameters().map((p) => [p, p.trainable]));
    let peft: PeftModel<M> | null = null;
    try {
      peft = new PeftModel(model, config, adapterName, options);
      setPeftModelStateDict(peft.baseModel, tensors, adapterName, weightsPath);
      // As PEFT: an adapter loaded for inference runs without dropout.
      if (!options.isTrainable) peft.eval();
      return peft;
    } catch (error) {
      // Leave the caller's model as it was: no LoRA layers, same trainable flags.
      peft?.unload();
      for (const [p, flag] of trainable) p.trainable = flag;
      throw error;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }

  /** The user's model (with LoRA layers in place until `mergeAndUnload` / `unload`). */
  get model(): M {
    return this.baseModel.model;
  }

  get peftConfig(): Record<string, LoraConfig> {
    return this.baseModel.peftConfig;
  }

  get activeAdapter(): string {
    return this.baseModel.activeAdapters[0];
  }

  forward(...args: Parameters<ForwardOf<M>>): ReturnType<ForwardOf<M>> {
    const model = this.model as unknown as { forward?: (...a: unknown[]) => unknown };
    if (typeof model.forward !== 'function') {
      throw new Error(`${this.model.constructor.name} has no forward() to run`);
    }
    return model.forward(...args) as ReturnType<ForwardOf<M>>;
  }

  /** Adds a second (third…) adapter; it stays inactive (and frozen) until `setAdapter`. */
  addAdapter(
    adapterName: string,
    config: LoraConfig | LoraConfigInit,
    options: InjectOptions = {},
  ): void {
    this.baseModel.injectAdapter(adapterName, toLoraConfig(config), options);
  }

  setAdapter(adapterName: string): void {
    this.baseModel.setAdapter(adapterName);
  }

  deleteAdapter(adapterName: string): void {
    this.baseModel.deleteAdapter(adapterName);
  }

  /** Runs `fn` with every adapter off (the base model computes), like PEFT's `with model.disable_adapter():`. */
  disableAdapter<T>(fn: () => T): T {
    this.baseModel.setAdapterLayers(false);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.baseModel.setAdapterLayers(true);
      throw error;
    }
    if (result instanceof Promise) {
      return result.finally(() => this.baseModel.setAdapterLayers(true)) as T;
    }
    this.baseModel.setAdapterLayers(true);
    return result;
  }

  mergeAdapter(adapterNames?: string[]): void {
    this.baseModel.mergeAdapter(adapterNames);
  }

  unmergeAdapter(): void {
    this.baseModel.unmergeAdapter();
  }

  /** Folds the active adapters into the base weights and returns the plain model (LoRA weights freed). */
  mergeAndUnload(adapterNames?: string[]): M {
    return this.baseModel.unloadAndOptionallyMerge(true, adapterNames);
  }

  /** Removes the LoRA layers without merging and returns the plain model. */
  unload(): M {
    return this.baseModel.unloadAndOptionallyMerge(false);
  }

  /** `[trainable, all]` parameter counts (a shared variable counted once), as PEFT's `get_nb_trainable_parameters`. */
  getNbTrainableParameters(): [number, number] {
    return [this.numParameters({ trainableOnly: true }), this.numParameters()];
  }

  /** Logs and returns `trainable params: N || all params: M || trainable%: P` in PEFT's format. */
  printTrainableParameters(): string {
    const line = trainableLine(...this.getNbTrainableParameters());
    console.log(line);
    return line;
  }

  /** The adapter's tensors by PEFT's saved names (live variables: read, do not dispose). */
  adapterStateDict(adapterName = this.activeAdapter): Record<string, tf.Tensor> {
    return getPeftModelStateDict(this.baseModel, adapterName);
  }

  /** Loads tensors named as in `adapter_model.safetensors` into an existing adapter. */
  loadAdapterStateDict(
    tensors: Record<string, tf.Tensor>,
    adapterName = this.activeAdapter,
    source = 'state dict',
  ): void {
    setPeftModelStateDict(this.baseModel, tensors, adapterName, source);
  }

  /**
   * Writes each adapter as PEFT does: `adapter_config.json` + `adapter_model.safetensors` in `dir`
   * for `default`, in `dir/<name>/` for the others.
   */
  async savePretrained(dir: string, options: SavePretrainedOptions = {}): Promise<void> {
    const names = options.selectedAdapters ?? Object.keys(this.peftConfig);
    for (const name of names) {
      const config = this.peftConfig[name];
      if (!config) throw new Error(`savePretrained: adapter '${name}' not found`);
      await saveAdapterFiles(dir, name, config, this.adapterStateDict(name), options);
    }
  }

  /** Adds adapter `adapterName` from a PEFT adapter folder, URL or Hub id (PEFT's `load_adapter`). */
  async loadAdapter(
    nameOrPath: string,
    adapterName: string,
    options: LoadAdapterOptions & InjectOptions = {},
  ): Promise<void> {
    const { config, tensors, weightsPath } = await loadAdapterFiles(nameOrPath, options);
    try {
      this.baseModel.injectAdapter(adapterName, config, options);
      try {
        setPeftModelStateDict(this.baseModel, tensors, adapterName, weightsPath);
      } catch (error) {
        this.baseModel.deleteAdapter(adapterName);
        throw error;
      }
      if (!options.isTrainable) this.eval();
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }
}

/** PEFT's `get_peft_model`: injects adapter `adapterName` into `model` (in place) and wraps it. */
export function getPeftModel<M extends Module>(
  model: M,
  config: LoraConfig | LoraConfigInit,
  adapterName = 'default',
  options: InjectOptions = {},
): PeftModel<M> {
  return new PeftModel(model, config, adapterName, options);
}
