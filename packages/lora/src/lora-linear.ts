import {
  Conv1D,
  Dropout,
  getDefaultRng,
  Linear,
  type LinearLike,
  linear,
  Module,
  ModuleDict,
  type Parameter,
  type Rng,
} from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { InitLoraWeights } from './config.js';
import { DoraMagnitude, doraDelta, doraMerge, doraUnmerge, doraWeightNorm } from './dora.js';
import { type LoraWeights, loraDelta, loraDeltaWeight } from './functional.js';
import { fusedLoraLinear } from './fused-lora-linear.js';

export interface LoraLayerOptions {
  r: number;
  loraAlpha: number;
  loraDropout?: number;
  initLoraWeights?: InitLoraWeights;
  useRslora?: boolean;
  useDora?: boolean;
  /** A trainable bias on lora_B (PEFT's `lora_bias`). */
  loraBias?: boolean;
  /** Generator for the initial LoRA weights and the dropout masks (default: the global one). */
  rng?: Rng;
}

/**
 * PEFT's `lora.Linear` around any linear-like module (`Linear`, GPT-2's `Conv1D`, KAN's base path…):
 * `y = base(x) + Σ_active scaling · B(A(dropout(u)))`, where `u = base.weightInput(x)` when the base
 * layer multiplies its weight by a transform of `x` (else `u = x`), so merging stays exact.
 *
 * Children mirror PEFT's names, so state-dict keys match: `base_layer`, `lora_A.<adapter>`,
 * `lora_B.<adapter>` (`Linear`s without bias unless `loraBias`), `lora_dropout.<adapter>`, and
 * `lora_magnitude_vector.<adapter>` for DoRA. The base layer's parameters are frozen on wrapping.
 */
export class LoraLinear extends Module implements LinearLike {
  readonly baseLayer: LinearLike;
  readonly loraA: ModuleDict<Linear>;
  readonly loraB: ModuleDict<Linear>;
  readonly loraDropout: ModuleDict<Dropout>;
  readonly loraMagnitudeVector: ModuleDict<DoraMagnitude>;
  /** Per adapter (no prototype: an adapter may be called `toString`). */
  readonly r: Record<string, number> = Object.create(null);
  readonly loraAlpha: Record<string, number> = Object.create(null);
  readonly scaling: Record<string, number> = Object.create(null);
  private active: string[];
  private readonly mergedAdapters: string[] = [];
  private adaptersDisabled = false;
  /** `‖W + ΔW‖` of each merged DoRA adapter, needed to unmerge it exactly. */
  private readonly doraNorms = new Map<string, tf.Tensor>();

  constructor(baseLayer: LinearLike, adapterName: string, options: LoraLayerOptions) {
    super();
    this.baseLayer = this.registerModule('base_layer', baseLayer);
    this.loraA = this.registerModule('lora_A', new ModuleDict<Linear>());
    this.loraB = this.registerModule('lora_B', new ModuleDict<Linear>());
    this.loraDropout = this.registerModule('lora_dropout', new ModuleDict<Dropout>());
    this.loraMagnitudeVector = this.registerModule(
      'lora_magnitude_vector',
      new ModuleDict<DoraMagnitude>(),
    );
    baseLayer.requiresGrad(false);
    this.active = [adapterName];
    this.updateLayer(adapterName, options);
  }

  get inFeatures(): number {
    return this.baseLayer.inFeatures;
  }

  get outFeatures(): number {
    return this.baseLayer.outFeatures;
  }

  get fanInFanOut(): boolean {
    return this.baseLayer.fanInFanOut;
  }

  get weight(): Parameter {
    return this.baseLayer.weight;
  }

  get bias(): Parameter | null {
    return this.baseLayer.bias;
  }

  get activeAdapters(): string[] {
    return [...this.active];
  }

  get merged(): boolean {
    return this.mergedAdapters.length > 0;
  }

  /** Adapters folded into the base weight, in merge order. */
  get mergedAdapterNames(): string[] {
    return [...this.mergedAdapters];
  }

  get disabled(): boolean {
    return this.adaptersDisabled;
  }

  adapterNames(): string[] {
    return this.loraA.keys();
  }

  /** Adds (or replaces) adapter `name`, initialised as PEFT's `update_layer` does. */
  updateLayer(name: string, options: LoraLayerOptions): void {
    const { r, loraAlpha } = options;
    if (!Number.isInteger(r) || r <= 0) {
      throw new RangeError(
        `\`r\` should be a positive integer value but the value passed is ${r} (adapter '${name}')`,
      );
    }
    if (this.mergedAdapters.includes(name)) {
      throw new Error(`adapter '${name}' is merged; unmerge() before replacing it`);
    }
    const rng = options.rng ?? getDefaultRng();
    const loraBias = options.loraBias ?? false;
    this.removeAdapterModules(name);
    this.r[name] = r;
    this.loraAlpha[name] = loraAlpha;
    this.scaling[name] = options.useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    this.loraDropout.set(name, new Dropout(options.loraDropout ?? 0, rng));
    const a = new Linear(this.inFeatures, r, { bias: false, rng });
    const b = new Linear(r, this.outFeatures, { bias: loraBias, rng });
    initialise(a, b, options.initLoraWeights ?? true, r, rng);
    this.loraA.set(name, a);
    this.loraB.set(name, b);
    if (options.useDora) {
      const delta = this.deltaWeight(name);
      const norm = doraWeightNorm(this.weight, delta, this.fanInFanOut);
      delta.dispose();
      this.loraMagnitudeVector.set(name, new DoraMagnitude(norm));
    }
    this.setAdapter(this.active);
  }

  /** Makes `names` the active adapters; their weights train unless `inferenceMode`, all others freeze. */
  setAdapter(names: string | string[], inferenceMode = false): void {
    const list = typeof names === 'string' ? [names] : [...names];
    for (const name of this.adapterNames()) {
      const trainable = list.includes(name) && !inferenceMode;
      for (const dict of this.adapterDicts())
        if (dict.has(name)) dict.get(name).requiresGrad(trainable);
    }
    this.active = list;
  }

  /** PEFT's `enable_adapters`: disabled adapters are frozen and skipped in forward. */
  enableAdapters(enabled: boolean): void {
    if (enabled) {
      this.setAdapter(this.active);
    } else {
      for (const dict of this.adapterDicts()) dict.requiresGrad(false);
    }
    this.adaptersDisabled = !enabled;
  }

  deleteAdapter(name: string): void {
    if (this.mergedAdapters.includes(name)) {
      throw new Error(`cannot delete adapter '${name}' while it is merged; unmerge() first`);
    }
    this.removeAdapterModules(name);
    delete this.r[name];
    delete this.loraAlpha[name];
    delete this.scaling[name];
    if (!this.active.includes(name)) return;
    const remaining = this.active.filter((n) => n !== name);
    this.setAdapter(remaining.length > 0 ? remaining : this.adapterNames().sort().slice(0, 1));
  }

  /** `scaling · B·A` in the base weight's layout (PEFT's `get_delta_weight`). */
  deltaWeight(name: string): tf.Tensor {
    const w = this.loraWeights(name);
    return loraDeltaWeight(w.loraA, w.loraB, w.scaling, this.fanInFanOut);
  }

  /** Folds adapters (default: the active ones) into the base weight; forward then runs the base layer only. */
  merge(adapterNames: string[] = this.active): void {
    for (const name of adapterNames) {
      if (this.mergedAdapters.includes(name) || !this.loraA.has(name)) continue;
      const weight = this.weight;
      const delta = this.deltaWeight(name);
      const magnitude = this.loraMagnitudeVector.has(name)
        ? this.loraMagnitudeVector.get(name).weight
        : null;
      if (magnitude) {
        const { merged, norm } = doraMerge(weight, delta, magnitude, this.fanInFanOut);
        weight.assign(merged);
        merged.dispose();
        this.doraNorms.set(name, tf.keep(norm));
      } else {
        tf.tidy(() => weight.assign(tf.add(weight, delta)));
      }
      delta.dispose();
      this.shiftBias(name, +1);
      this.mergedAdapters.push(name);
    }
  }

  /** Takes merged adapters back out of the base weight (in reverse merge order). */
  unmerge(): void {
    while (this.mergedAdapters.length > 0) {
      const name = this.mergedAdapters.pop()!;
      const weight = this.weight;
      const delta = this.deltaWeight(name);
      const norm = this.doraNorms.get(name);
      if (norm) {
        const magnitude = this.loraMagnitudeVector.get(name).weight;
        tf.tidy(() => weight.assign(doraUnmerge(weight, delta, magnitude, norm, this.fanInFanOut)));
        norm.dispose();
        this.doraNorms.delete(name);
      } else {
        tf.tidy(() => weight.assign(tf.sub(weight, delta)));
      }
      delta.dispose();
      this.shiftBias(name, -1);
    }
  }

  /** LoRA's gradients read its input and `A·x`, never the output; DoRA's read the base output. */
  get gradientsIgnoreOutput(): boolean {
    return (
      this.baseLayer.gradientsIgnoreOutput === true && this.loraMagnitudeVector.keys().length === 0
    );
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (this.adaptersDisabled) {
      if (this.merged) this.unmerge();
      return this.baseLayer.forward(x);
    }
    if (this.merged) return this.baseLayer.forward(x);
    const fused = this.fusedForward(x);
    if (fused) return fused;
    return tf.tidy(() => {
      let result = this.baseLayer.forward(x);
      const names = this.active.filter((n) => this.loraA.has(n));
      if (names.length === 0) return result;
      const input = this.baseLayer.weightInput ? this.baseLayer.weightInput(x) : x;
      for (const name of names) {
        const dropout = this.loraDropout.get(name);
        if (!this.loraMagnitudeVector.has(name)) {
          result = tf.add(result, loraDelta(dropout.forward(input), this.loraWeights(name)));
        } else {
          result = tf.add(result, this.doraForward(name, input, result, dropout));
        }
      }
      return result;
    });
  }

  /**
   * The common case — one active plain LoRA adapter on a `Linear` / `Conv1D` — as one custom op
   * (`fusedLoraLinear`: less memory for autodiff, fewer passes); null for anything else (several
   * adapters, DoRA, a base with an input transform), which runs the general path.
   */
  private fusedForward(x: tf.Tensor): tf.Tensor | null {
    const base = this.baseLayer;
    // A subclass may transform its input (`weightInput`); the fused op multiplies `x` itself.
    const plainBase =
      (base instanceof Linear || base instanceof Conv1D) && !this.baseLayer.weightInput;
    const names = this.active.filter((n) => this.loraA.has(n));
    if (!plainBase || names.length !== 1 || this.loraMagnitudeVector.has(names[0])) return null;
    const dropout = this.loraDropout.get(names[0]);
    return tf.tidy(() => {
      const mask = dropout.sampleMask(x.shape);
      const weights = this.loraWeights(names[0]);
      return fusedLoraLinear(x, {
        weight: base.weight,
        bias: base.bias,
        fanInFanOut: base.fanInFanOut,
        loraA: weights.loraA,
        loraB: weights.loraB,
        loraBBias: weights.loraBBias ?? null,
        scaling: weights.scaling,
        dropout: mask ? { mask, p: dropout.p } : null,
      });
    });
  }

  /** Frees every adapter's weights (the base layer is kept): used when unloading. */
  disposeAdapters(): void {
    for (const dict of this.adapterDicts()) dict.dispose();
    for (const norm of this.doraNorms.values()) norm.dispose();
    this.doraNorms.clear();
  }

  /**
   * PEFT's DoRA forward: reuses the base output (minus bias) as `x·W` when the LoRA input is `x`
   * itself (no active dropout, no input transform), else recomputes `x·W` on the LoRA input.
   */
  private doraForward(name: string, input: tf.Tensor, result: tf.Tensor, dropout: Dropout) {
    const inactiveDropout = dropout.p === 0 || !dropout.training;
    const x = inactiveDropout ? input : dropout.forward(input);
    const reuse = inactiveDropout && !this.baseLayer.weightInput;
    const baseWithoutBias = reuse
      ? this.bias
        ? tf.sub(result, this.bias)
        : result
      : linear(x, this.weight, null, this.fanInFanOut);
    return doraDelta(x, baseWithoutBias, {
      ...this.loraWeights(name),
      weight: this.weight,
      fanInFanOut: this.fanInFanOut,
      magnitude: this.loraMagnitudeVector.get(name).weight,
    });
  }

  private loraWeights(name: string): LoraWeights {
    const b = this.loraB.get(name);
    return {
      loraA: this.loraA.get(name).weight,
      loraB: b.weight,
      loraBBias: b.bias,
      scaling: this.scaling[name],
    };
  }

  /** lora_B's bias merges into the base bias (scaled), as PEFT does with `lora_bias`. */
  private shiftBias(name: string, sign: 1 | -1): void {
    const loraBias = this.loraB.get(name).bias;
    if (!loraBias) return;
    const bias = this.bias;
    if (!bias) {
      throw new Error(
        `cannot merge adapter '${name}' with loraBias: the base layer has no bias to merge it into`,
      );
    }
    tf.tidy(() => bias.assign(tf.add(bias, tf.mul(loraBias, sign * this.scaling[name]))));
  }

  private adapterDicts(): ModuleDict[] {
    return [this.loraA, this.loraB, this.loraMagnitudeVector];
  }

  private removeAdapterModules(name: string): void {
    for (const dict of [...this.adapterDicts(), this.loraDropout]) dict.delete(name)?.dispose();
  }
}

/** PEFT's `reset_lora_parameters` for linear layers. */
function initialise(a: Linear, b: Linear, init: InitLoraWeights, r: number, rng: Rng): void {
  if (init === false) return; // both keep nn.Linear's random init
  if (init === 'gaussian') {
    const values = rng.normalTensor(a.weight.shape, 0, 1 / r);
    a.weight.assign(values);
    values.dispose();
  }
  tf.tidy(() => {
    b.weight.assign(tf.zerosLike(b.weight));
    b.bias?.assign(tf.zerosLike(b.bias));
  });
}

/** @deprecated Renamed `LoraLinear` (one spelling of LoRA, as in `LoraModel`); removed in the next release. */
export const LoRALinear = LoraLinear;
/** @deprecated Renamed `LoraLinear`. */
export type LoRALinear = LoraLinear;
