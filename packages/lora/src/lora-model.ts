import { type LinearLike, Module, type Rng } from '@lgpt/core';
import { assertAdapterName } from './adapter-name.js';
import type { LoraConfig } from './config.js';
import { LoRALinear } from './lora-linear.js';
import { getPatternKey } from './matching.js';
import { ModulesToSaveWrapper } from './modules-to-save.js';
import { findModulesToSave, findTargets, resolveAllLinear } from './targeting.js';

export interface InjectOptions {
  /** Generator for new LoRA weights and dropout masks (default: the global one). */
  rng?: Rng;
}

/**
 * PEFT's `LoraModel`: owns the user's model (child `model`), replaces the targeted modules with
 * `LoRALinear` layers and `modulesToSave` modules with `ModulesToSaveWrapper`s, keeps one config per
 * adapter, and decides which parameters train.
 */
export class LoraModel<M extends Module = Module> extends Module {
  readonly model: M;
  /** Keyed by adapter name; no prototype, so an adapter may be called `toString`. */
  readonly peftConfig: Record<string, LoraConfig> = Object.create(null);
  private active: string[];

  constructor(model: M, config: LoraConfig, adapterName: string, options: InjectOptions = {}) {
    super();
    this.model = this.registerModule('model', model);
    this.active = [adapterName];
    this.injectAdapter(adapterName, config, options);
  }

  get activeAdapters(): string[] {
    return [...this.active];
  }

  /** LoRA layers of the model with their dotted names (relative to `model`). */
  loraLayers(): [string, LoRALinear][] {
    return this.modulesOf(LoRALinear);
  }

  modulesToSaveWrappers(): [string, ModulesToSaveWrapper][] {
    return this.modulesOf(ModulesToSaveWrapper);
  }

  /**
   * Adds adapter `adapterName` (PEFT's `inject_adapter`): `config` is copied, then resolved as
   * PEFT does (`'all-linear'` becomes module names; `fanInFanOut` follows the targeted layers).
   */
  injectAdapter(adapterName: string, config: LoraConfig, options: InjectOptions = {}): void {
    assertAdapterName(adapterName);
    if (Object.hasOwn(this.peftConfig, adapterName)) {
      throw new Error(`adapter '${adapterName}' already exists`);
    }
    const resolved = config.copy();
    resolveAllLinear(resolved, this.model);
    const targets = findTargets(this.model, resolved);
    const toSave = findModulesToSave(this.model, resolved);
    for (const [key, target] of targets)
      this.createAndReplace(key, target, resolved, adapterName, options);
    this.peftConfig[adapterName] = resolved;
    for (const [key, module] of toSave) {
      if (module instanceof ModulesToSaveWrapper)
        module.update(adapterName, resolved.inferenceMode);
      else this.model.setSubmodule(key, new ModulesToSaveWrapper(module, adapterName));
    }
    this.markOnlyAdaptersAsTrainable();
    this.setAdapter(this.active);
  }

  private createAndReplace(
    key: string,
    target: Module,
    config: LoraConfig,
    adapterName: string,
    options: InjectOptions,
  ): void {
    const rKey = getPatternKey(Object.keys(config.rankPattern), key);
    const alphaKey = getPatternKey(Object.keys(config.alphaPattern), key);
    const layerOptions = {
      r: config.rankPattern[rKey] ?? config.r,
      loraAlpha: config.alphaPattern[alphaKey] ?? config.loraAlpha,
      loraDropout: config.loraDropout,
      initLoraWeights: config.initLoraWeights,
      useRslora: config.useRslora,
      useDora: config.useDora,
      loraBias: config.loraBias,
      rng: options.rng,
    };
    if (target instanceof LoRALinear) {
      target.updateLayer(adapterName, layerOptions);
      return;
    }
    const base = target as LinearLike;
    // PEFT corrects fan_in_fan_out to the layer's actual layout (with a warning) and saves that.
    config.fanInFanOut = base.fanInFanOut;
    this.model.setSubmodule(key, new LoRALinear(base, adapterName, layerOptions));
  }

  /**
   * PEFT's `_mark_only_adapters_as_trainable`: every parameter without `lora_` in its name freezes;
   * then `bias: 'all'` unfreezes every parameter named like `bias`, `'lora_only'` the base biases of
   * LoRA layers.
   */
  private markOnlyAdaptersAsTrainable(): void {
    for (const [name, p] of this.model.namedParameters()) {
      if (!name.includes('lora_')) p.trainable = false;
    }
    for (const adapter of this.active) {
      const bias = this.peftConfig[adapter]?.bias;
      if (bias === 'all') {
        for (const [name, p] of this.model.namedParameters())
          if (name.includes('bias')) p.trainable = true;
      } else if (bias === 'lora_only') {
        for (const [, layer] of this.loraLayers()) if (layer.bias) layer.bias.trainable = true;
      }
    }
  }

  /** Activates adapter(s): their weights train (unless their config is in inference mode), others freeze. */
  setAdapter(names: string | string[]): void {
    const list = typeof names === 'string' ? [names] : [...names];
    for (const name of list) {
      if (!Object.hasOwn(this.peftConfig, name)) {
        throw new Error(
          `adapter '${name}' not found (adapters: ${Object.keys(this.peftConfig).join(', ')})`,
        );
      }
    }
    const inferenceMode = list.some((n) => this.peftConfig[n].inferenceMode);
    for (const [, layer] of this.loraLayers()) {
      if (layer.merged) layer.unmerge();
      layer.setAdapter(list, inferenceMode);
    }
    const wrappers = this.modulesToSaveWrappers();
    if (wrappers.length > 0 && list.length !== 1) {
      throw new Error('modulesToSave supports exactly one active adapter at a time');
    }
    for (const [, wrapper] of wrappers) {
      if (wrapper.adapterNames().includes(list[0])) {
        wrapper.enableAdapters(true);
        wrapper.setAdapter(list[0], inferenceMode);
      } else {
        wrapper.enableAdapters(false);
      }
    }
    this.active = list;
  }

  /** Turns every adapter on or off (off: the model computes as the base model would). */
  setAdapterLayers(enabled: boolean): void {
    for (const [, layer] of this.loraLayers()) layer.enableAdapters(enabled);
    for (const [, wrapper] of this.modulesToSaveWrappers()) wrapper.enableAdapters(enabled);
    if (enabled) this.setAdapter(this.active);
  }

  deleteAdapter(name: string): void {
    if (!Object.hasOwn(this.peftConfig, name)) throw new Error(`adapter '${name}' not found`);
    for (const [key, layer] of this.loraLayers()) {
      if (layer.mergedAdapterNames.includes(name)) {
        throw new Error(
          `cannot delete adapter '${name}': it is merged into '${key}'; unmerge first`,
        );
      }
    }
    delete this.peftConfig[name];
    let next: string[] | null = null;
    for (const [, layer] of this.loraLayers()) {
      layer.deleteAdapter(name);
      next ??= layer.activeAdapters;
    }
    this.active = next ?? this.active.filter((n) => n !== name);
    for (const [, wrapper] of this.modulesToSaveWrappers())
      wrapper.deleteAdapter(name, this.active[0] ?? null);
    // PEFT lets each layer pick its own fallback; one active set everywhere keeps forward consistent.
    for (const [, layer] of this.loraLayers()) layer.setAdapter(this.active);
  }

  /** Merges adapters (default: the active ones) into the base weights of every LoRA layer. */
  mergeAdapter(adapterNames?: string[]): void {
    for (const [, layer] of this.loraLayers()) layer.merge(adapterNames ?? this.active);
  }

  unmergeAdapter(): void {
    for (const [, layer] of this.loraLayers()) layer.unmerge();
  }

  /**
   * PEFT's `_unload_and_optionally_merge`: puts each LoRA layer's base layer back (merged first if
   * asked) and each `modulesToSave` wrapper's active copy in its place; adapter weights are freed.
   * Returns the user's model.
   */
  unloadAndOptionallyMerge(merge: boolean, adapterNames?: string[]): M {
    for (const [key, layer] of this.loraLayers()) {
      if (merge) layer.merge(adapterNames ?? this.active);
      layer.disposeAdapters();
      this.model.setSubmodule(key, layer.baseLayer);
    }
    for (const [key, wrapper] of this.modulesToSaveWrappers()) {
      const active = wrapper.activeAdapter;
      const keep = active !== null ? wrapper.modulesToSave.get(active) : wrapper.originalModule;
      if (keep !== wrapper.originalModule) wrapper.originalModule.dispose();
      for (const name of wrapper.adapterNames())
        if (name !== active) wrapper.modulesToSave.get(name).dispose();
      this.model.setSubmodule(key, keep);
    }
    for (const name of Object.keys(this.peftConfig)) delete this.peftConfig[name];
    return this.model;
  }

  private modulesOf<T extends Module>(type: abstract new (...args: never[]) => T): [string, T][] {
    const out: [string, T][] = [];
    for (const [key, module] of this.model.namedModules())
      if (module instanceof type) out.push([key, module]);
    return out;
  }
}
