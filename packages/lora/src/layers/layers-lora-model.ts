import type { Rng } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { ALL_LINEAR, type LoraConfig, type LoraConfigInit, toLoraConfig } from '../config.js';
import { checkTargetModuleExists, getPatternKey } from '../matching.js';
import {
  type LoadAdapterOptions,
  loadAdapterFiles,
  type SavePretrainedOptions,
  saveAdapterFiles,
} from '../pretrained.js';
import { type AdapterTensor, loadAdapterTensors, PEFT_KEY_PREFIX } from '../state-dict.js';
import { trainableLine } from '../trainable-line.js';
import { freeze, freezeAll, type Layer, unfreeze } from './freeze.js';
import { assertAdaptableDense, LoraDense } from './lora-dense.js';

export interface ApplyLoraOptions {
  /** Generator for the initial LoRA weights and dropout masks (default: the global one). */
  rng?: Rng;
}

/**
 * LoRA for a tfjs-layers `LayersModel`: the targeted `Dense` layers (matched by layer name, with
 * PEFT's rules; nested models give dotted names `inner.dense_1`) get LoRA weights in place, every
 * other weight is frozen, and `model.fit` then trains the adapters only. The adapter is saved in
 * PEFT's format (`fan_in_fan_out: true`: Dense kernels are `[in, out]`).
 */
export class LayersLoraModel {
  readonly config: LoraConfig;
  readonly adapters: LoraDense[];
  /** Puts every layer's weight lists and `trainable` flags back as they were. */
  private readonly thaw: () => void;

  constructor(
    readonly model: LayersModel,
    config: LoraConfig | LoraConfigInit,
    options: ApplyLoraOptions = {},
  ) {
    const resolved = toLoraConfig(config);
    if (resolved.useDora) {
      throw new Error(
        'useDora is not supported by @lgpt/lora/layers (DoRA is available in the Module API)',
      );
    }
    if (resolved.modulesToSave?.length) {
      throw new Error(
        'modulesToSave is not supported by @lgpt/lora/layers: set those layers trainable yourself',
      );
    }
    resolveAllDense(resolved, model);
    const targets = namedLayers(model).filter(
      ([path]) => checkTargetModuleExists(resolved, path) === 'target',
    );
    if (targets.length === 0) throw new Error(noTargetsMessage(model, resolved));
    for (const [path, layer] of targets) assertAdaptableDense(layer, path);

    const layers = namedLayers(model)
      .map(([, layer]) => layer)
      .filter((layer) => !isContainer(layer));
    this.thaw = freezeAll(layers);
    this.adapters = targets.map(([path, layer]) => {
      const rKey = getPatternKey(Object.keys(resolved.rankPattern), path);
      const alphaKey = getPatternKey(Object.keys(resolved.alphaPattern), path);
      return new LoraDense(layer, path, {
        r: resolved.rankPattern[rKey] ?? resolved.r,
        loraAlpha: resolved.alphaPattern[alphaKey] ?? resolved.loraAlpha,
        loraDropout: resolved.loraDropout,
        initLoraWeights: resolved.initLoraWeights,
        useRslora: resolved.useRslora,
        loraBias: resolved.loraBias,
        rng: options.rng,
      });
    });
    resolved.fanInFanOut = true;
    this.config = resolved;
    for (const [, { variable, layer }] of this.tensorMap()) {
      if (resolved.inferenceMode) freeze(layer, variable);
      else unfreeze(layer, variable);
    }
    refreshCompiledWeights(model);
  }

  /** Loads a PEFT-format adapter (folder, URL or Hub id) onto `model`'s Dense layers. */
  static async fromPretrained(
    model: LayersModel,
    nameOrPath: string,
    options: LoadAdapterOptions & ApplyLoraOptions = {},
  ): Promise<LayersLoraModel> {
    const { config, tensors, weightsPath } = await loadAdapterFiles(nameOrPath, options);
    let lora: LayersLoraModel | null = null;
    try {
      lora = new LayersLoraModel(model, config, options);
      lora.loadAdapterStateDict(tensors, weightsPath);
      return lora;
    } catch (error) {
      lora?.unload();
      throw error;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }

  /** What `model.fit` trains: the LoRA weights (plus biases per `bias`). */
  get trainableWeights(): LayerVariable[] {
    return this.model.trainableWeights;
  }

  merge(): void {
    for (const a of this.adapters) a.merge();
  }

  unmerge(): void {
    for (const a of this.adapters) a.unmerge();
  }

  /** Folds the adapters into the kernels, then `unload()`s: a plain model again. */
  mergeAndUnload(): LayersModel {
    this.merge();
    return this.unload();
  }

  /**
   * Removes the LoRA weights and restores every layer's `call` and every weight's `trainable` flag
   * (kernels stay merged if `merge()` was called). Returns the model.
   */
  unload(): LayersModel {
    for (const a of this.adapters) a.restore();
    this.thaw();
    refreshCompiledWeights(this.model);
    return this.model;
  }

  /** The adapter's tensors by PEFT key (live values: read, do not dispose). */
  adapterStateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [key, t] of this.tensorMap()) out[key] = t.value;
    return out;
  }

  loadAdapterStateDict(tensors: Record<string, tf.Tensor>, source = 'state dict'): void {
    loadAdapterTensors(this.tensorMap(), tensors, `${source}: adapter`);
  }

  async savePretrained(dir: string, options: SavePretrainedOptions = {}): Promise<void> {
    const name = options.baseModelNameOrPath ?? this.model.name;
    await saveAdapterFiles(dir, 'default', this.config, this.adapterStateDict(), {
      ...options,
      baseModelNameOrPath: name,
    });
  }

  printTrainableParameters(): string {
    const weights = allWeights(this.model);
    const count = (ws: LayerVariable[]) => ws.reduce((n, w) => n + w.read().size, 0);
    const line = trainableLine(count(weights.filter((w) => w.trainable)), count(weights));
    console.log(line);
    return line;
  }

  /** Saved key → weight, for saving and loading alike (PEFT's names for an `nn.Linear` target). */
  private tensorMap(): Map<string, LayerTensor> {
    const out = new Map<string, LayerTensor>();
    const add = (key: string, layer: Layer, variable: LayerVariable, required: boolean) =>
      out.set(PEFT_KEY_PREFIX + key, {
        layer,
        variable,
        value: variable.read(),
        write: (v) => variable.write(v),
        required,
      });
    const adapted = new Set(this.adapters.map((a) => a.layer));
    for (const a of this.adapters) {
      add(`${a.path}.lora_A.weight`, a.layer, a.loraA, true);
      add(`${a.path}.lora_B.weight`, a.layer, a.loraB, true);
      if (a.loraBBias) add(`${a.path}.lora_B.bias`, a.layer, a.loraBBias, true);
      if (this.config.bias !== 'none' && a.bias)
        add(`${a.path}.base_layer.bias`, a.layer, a.bias, false);
    }
    if (this.config.bias === 'all') {
      for (const [path, layer] of namedLayers(this.model)) {
        if (adapted.has(layer)) continue;
        for (const w of layer.weights)
          if (shortName(w) === 'bias') add(`${path}.bias`, layer, w, false);
      }
    }
    return out;
  }
}

interface LayerTensor extends AdapterTensor {
  layer: Layer;
  variable: LayerVariable;
}

/** LoRA-fies the Dense layers of `model` that `config.targetModules` names (see `LayersLoraModel`). */
export function applyLora(
  model: LayersModel,
  config: LoraConfig | LoraConfigInit,
  options: ApplyLoraOptions = {},
): LayersLoraModel {
  return new LayersLoraModel(model, config, options);
}

/** Layers by dotted path; a nested model's layers follow it (`inner.dense_1`). */
function namedLayers(model: { layers: Layer[] }, prefix = ''): [string, Layer][] {
  const out: [string, Layer][] = [];
  for (const layer of model.layers) {
    const path = prefix + layer.name;
    out.push([path, layer]);
    if (isContainer(layer)) out.push(...namedLayers(layer, `${path}.`));
  }
  return out;
}

/** A nested model: its weights belong to its own layers. */
function isContainer(layer: Layer): layer is Layer & { layers: Layer[] } {
  return Array.isArray((layer as unknown as { layers?: unknown }).layers);
}

function allWeights(model: LayersModel): LayerVariable[] {
  return [...new Set(model.weights)];
}

/** `dense_1/bias` → `bias`. */
function shortName(w: LayerVariable): string {
  return w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
}

/** `'all-linear'`: every Dense layer except those producing the model's outputs (the head). */
function resolveAllDense(config: LoraConfig, model: LayersModel): void {
  const target = config.targetModules;
  if (typeof target !== 'string' || target.toLowerCase() !== ALL_LINEAR) return;
  const heads = new Set(model.outputs.map((o) => o.sourceLayer));
  config.targetModules = namedLayers(model)
    .filter(([, layer]) => layer.getClassName() === 'Dense' && !heads.has(layer))
    .map(([path]) => path);
}

function noTargetsMessage(model: LayersModel, config: LoraConfig): string {
  const dense = namedLayers(model)
    .filter(([, l]) => l.getClassName() === 'Dense')
    .map(([p]) => p);
  return `Target modules ${JSON.stringify(config.targetModules)} not found in the base model. Please check the target modules and try again.\nDense layers of this model: ${dense.join(', ') || '(none)'}`;
}

/**
 * `compile()` snapshots the trainable weights `fit` updates (a `Sequential` keeps the snapshot on its
 * inner model); a model compiled before LoRA was applied or removed gets it refreshed, so compiling
 * before or after both work.
 */
function refreshCompiledWeights(model: LayersModel): void {
  type Compiled = {
    collectedTrainableWeights?: LayerVariable[] | null;
    trainableWeights: LayerVariable[];
  };
  const inner = (model as unknown as { model?: Compiled }).model;
  for (const m of [model as unknown as Compiled, inner]) {
    if (m?.collectedTrainableWeights) m.collectedTrainableWeights = m.trainableWeights;
  }
}
