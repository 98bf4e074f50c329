import { dropout, getDefaultRng, Linear, linear, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { InitLoraWeights } from '../config.js';
import { loraDelta, loraDeltaWeight } from '../functional.js';
import { forget, type Layer } from './freeze.js';

type Kwargs = Record<string, unknown>;
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];

/**
 * The parts of tfjs-layers' `Dense` this integration relies on. They are not in its public typings
 * but have been stable across tfjs-layers 1.x–4.x (they mirror Keras 2's `Dense`).
 */
interface DenseInternals {
  name: string;
  kernel: LayerVariable | null;
  bias: LayerVariable | null;
  activation: { apply(x: tf.Tensor): tf.Tensor };
  call: Call;
  addWeight(
    name: string,
    shape: number[],
    dtype: 'float32',
    initializer: unknown,
    regularizer: undefined,
    trainable: boolean,
  ): LayerVariable;
  _addedWeightNames: string[];
}

export interface LoraDenseOptions {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  initLoraWeights: InitLoraWeights;
  useRslora: boolean;
  loraBias: boolean;
  rng?: Rng;
}

/** Throws unless `layer` is a built `Dense` layer (checked for every target before any is changed). */
export function assertAdaptableDense(layer: Layer, path: string): void {
  if (layer.getClassName() !== 'Dense') {
    throw new Error(
      `target layer '${path}' (${layer.getClassName()}) matches targetModules but is not a Dense layer: @lgpt/lora/layers adapts Dense layers only`,
    );
  }
  if (!(layer as unknown as DenseInternals).kernel) {
    throw new Error(
      `target layer '${path}' is not built yet: give the model an input shape (or call it once) first`,
    );
  }
}

/**
 * LoRA on one tfjs-layers `Dense` layer, in place (as Keras 3's `Dense.enable_lora` does): the layer
 * gains trainable `lora_A` `[r, in]` and `lora_B` `[out, r]` weights (PEFT's shapes), its kernel is
 * frozen, and its `call` computes `activation(x·K + b + s·B(A(dropout(x))))`. `restore()` undoes it.
 */
export class LoraDense {
  readonly loraA: LayerVariable;
  readonly loraB: LayerVariable;
  readonly loraBBias: LayerVariable | null;
  readonly scaling: number;
  private readonly dense: DenseInternals;
  private readonly originalCall: Call;
  private readonly dropoutP: number;
  private readonly rng: Rng;
  private isMerged = false;
  private readonly addedNames: string[] = [];

  constructor(
    readonly layer: Layer,
    readonly path: string,
    options: LoraDenseOptions,
  ) {
    assertAdaptableDense(layer, path);
    const dense = layer as unknown as DenseInternals;
    this.dense = dense;
    const [inFeatures, outFeatures] = dense.kernel!.shape as [number, number];
    const { r, loraAlpha } = options;
    this.scaling = options.useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    this.rng = options.rng ?? getDefaultRng();
    this.dropoutP = options.loraDropout;
    // The same initialisation as the Module API: core Linears give PyTorch's draws.
    const a = new Linear(inFeatures, r, { bias: false, rng: this.rng });
    const b = new Linear(r, outFeatures, { bias: options.loraBias, rng: this.rng });
    const init = options.initLoraWeights;
    const aValue =
      init === 'gaussian' ? this.rng.normalTensor([r, inFeatures], 0, 1 / r) : tf.clone(a.weight);
    const zeroB = init !== false;
    this.loraA = this.addWeight('lora_A', aValue);
    this.loraB = this.addWeight('lora_B', zeroB ? tf.zeros([outFeatures, r]) : tf.clone(b.weight));
    this.loraBBias = b.bias
      ? this.addWeight('lora_B_bias', zeroB ? tf.zeros([outFeatures]) : tf.clone(b.bias))
      : null;
    a.dispose();
    b.dispose();
    this.originalCall = dense.call;
    dense.call = (inputs, kwargs) => this.call(inputs, kwargs);
  }

  get kernel(): LayerVariable {
    return this.dense.kernel!;
  }

  get bias(): LayerVariable | null {
    return this.dense.bias;
  }

  get merged(): boolean {
    return this.isMerged;
  }

  /** The LoRA weights (in `[lora_A, lora_B, lora_B bias]` order). */
  get weights(): LayerVariable[] {
    return [this.loraA, this.loraB, ...(this.loraBBias ? [this.loraBBias] : [])];
  }

  private addWeight(name: string, value: tf.Tensor): LayerVariable {
    const fullName = `${this.dense.name}/${name}`;
    this.addedNames.push(fullName);
    // A model from `loadLayersModel` has tfjs-layers' "fast weight init" on: new weights start at
    // zero without calling the initializer. So the value is written once the variable exists.
    const initializer = { apply: () => tf.zeros(value.shape) };
    const variable = this.dense.addWeight(
      fullName,
      value.shape,
      'float32',
      initializer,
      undefined,
      true,
    );
    variable.write(value);
    value.dispose();
    return variable;
  }

  private call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (this.isMerged) return this.originalCall.call(this.dense, inputs, kwargs);
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const base = linear(x, this.kernel.read(), this.bias?.read() ?? null, true);
      const training = kwargs?.training === true && this.dropoutP > 0;
      const loraInput = training ? dropout(x, this.dropoutP, this.rng) : x;
      const update = loraDelta(loraInput, {
        loraA: this.loraA.read(),
        loraB: this.loraB.read(),
        loraBBias: this.loraBBias?.read() ?? null,
        scaling: this.scaling,
      });
      return this.dense.activation.apply(tf.add(base, update));
    });
  }

  /** Folds `s·(B·A)ᵀ` into the kernel (and `s·lora_B bias` into the bias); calls then use the plain Dense path. */
  merge(): void {
    if (this.isMerged) return;
    this.shift(+1);
    this.isMerged = true;
  }

  unmerge(): void {
    if (!this.isMerged) return;
    this.shift(-1);
    this.isMerged = false;
  }

  private shift(sign: 1 | -1): void {
    tf.tidy(() => {
      const delta = loraDeltaWeight(
        this.loraA.read(),
        this.loraB.read(),
        sign * this.scaling,
        true,
      );
      this.kernel.write(tf.add(this.kernel.read(), delta));
      if (!this.loraBBias) return;
      if (!this.bias)
        throw new Error(`cannot merge lora_B's bias into '${this.path}': the layer has no bias`);
      this.bias.write(tf.add(this.bias.read(), tf.mul(this.loraBBias.read(), sign * this.scaling)));
    });
  }

  /** Gives the layer back its own `call` and weights list, and frees the LoRA weights. */
  restore(): void {
    const dense = this.dense;
    dense.call = this.originalCall;
    forget(this.layer, this.weights);
    dense._addedWeightNames = dense._addedWeightNames.filter((n) => !this.addedNames.includes(n));
    for (const w of this.weights) w.dispose();
  }
}
