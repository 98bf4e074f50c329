import { customGrad, LayerNorm, Module } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { GPT2Attention } from './attention.js';
import type { GPT2Config } from './config.js';
import type { LayerKV } from './kv-cache.js';
import { type FeedForward, GPT2MLP } from './mlp.js';
import type { LayerRngs } from './rngs.js';
import { tidyObject } from './tidy.js';

/** What every sub-layer of a block sees besides the hidden states. */
export interface BlockContext {
  /** The additive attention bias `[B|1, 1, T, past+T]` (causal and padding). */
  attentionBias: tf.Tensor4D;
  /** The 0/1 padding mask `[B, past+T]`, when the caller gave one. */
  attentionMask: tf.Tensor2D | null;
  /**
   * Set while a checkpointed block is recomputed for its gradients, whose output's value nothing
   * reads: the MLP may then leave its last product out.
   */
  outputUnused?: boolean;
}

/**
 * A sub-layer added after the MLP (e.g. graph attention). It owns its normalisation and residual:
 * `forward` returns the block's new hidden states.
 */
export interface ResidualSubLayer extends Module {
  /** True when it reads every token's state, so it cannot run on a KV-cached step. */
  readonly needsFullSequence?: boolean;
  forward(hidden: tf.Tensor3D, context: BlockContext): tf.Tensor3D;
}

/** How an adapter changes every block; each factory is called once per layer. */
export interface BlockExtensions {
  /** Builds the block's feed-forward sub-layer instead of `GPT2MLP` (registered as `mlp`). */
  createMlp?: (config: GPT2Config, layerIdx: number, rngs: LayerRngs) => FeedForward;
  /** Extra residual sub-layers run after the MLP, in order, registered under the given names. */
  createExtraLayers?: (
    config: GPT2Config,
    layerIdx: number,
    rngs: LayerRngs,
  ) => [name: string, layer: ResidualSubLayer][];
}

export interface BlockOutput {
  hidden: tf.Tensor3D;
  present?: LayerKV;
}

/**
 * `residual + branch` with a gradient that keeps nothing: autodiff of `tf.add` keeps both inputs
 * alive until the backward pass, to reduce a broadcast that cannot happen between equal shapes.
 */
function addResidual(residual: tf.Tensor3D, branch: tf.Tensor3D): tf.Tensor3D {
  if (!tf.util.arraysEqual(residual.shape, branch.shape)) {
    return tf.add(residual, branch) as tf.Tensor3D;
  }
  // Two tensor objects: autodiff may dispose one input's gradient while accumulating into it.
  return customGrad(([a, b]) => ({ value: tf.add(a, b), gradFunc: (dy) => [dy, tf.clone(dy)] }))(
    residual,
    branch,
  ) as tf.Tensor3D;
}

/**
 * Hugging Face's `GPT2Block` (pre-norm): `h + attn(ln_1(h))`, then `h + mlp(ln_2(h))`, then any
 * extra residual sub-layers.
 */
export class GPT2Block extends Module {
  readonly ln1: LayerNorm;
  attn: GPT2Attention;
  readonly ln2: LayerNorm;
  mlp: FeedForward;
  readonly extraLayers: ResidualSubLayer[];

  constructor(
    config: GPT2Config,
    readonly layerIdx: number,
    extensions: BlockExtensions = {},
    rngs: LayerRngs = {},
  ) {
    super();
    this.ln1 = this.registerModule('ln_1', new LayerNorm(config.nEmbd, config.layerNormEpsilon));
    this.attn = this.registerModule('attn', new GPT2Attention(config, layerIdx, rngs));
    this.ln2 = this.registerModule('ln_2', new LayerNorm(config.nEmbd, config.layerNormEpsilon));
    this.mlp = this.registerModule(
      'mlp',
      extensions.createMlp?.(config, layerIdx, rngs) ?? new GPT2MLP(config, rngs),
    );
    this.extraLayers = (extensions.createExtraLayers?.(config, layerIdx, rngs) ?? []).map(
      ([name, layer]) => this.registerModule(name, layer),
    );
  }

  forward(
    hidden: tf.Tensor3D,
    context: BlockContext,
    past?: LayerKV,
    useCache = false,
  ): BlockOutput {
    if (past && !this.supportsKvCache) {
      throw new Error(
        `block ${this.layerIdx} has a sub-layer that needs the whole sequence (graph attention): run without a KV cache`,
      );
    }
    // A tidy per block: what the backward pass does not keep is freed block by block, not at
    // the end of the whole model's forward.
    return tidyObject(() => {
      const attn = this.attn.forward(
        this.ln1.forward(hidden) as tf.Tensor3D,
        context.attentionBias,
        past,
        useCache,
      );
      let h = addResidual(hidden, attn.output);
      // The MLP's output is the block's only when no sub-layer comes after it.
      const outputUnused = context.outputUnused === true && this.extraLayers.length === 0;
      h = addResidual(h, this.mlp.forward(this.ln2.forward(h), { outputUnused }) as tf.Tensor3D);
      for (const layer of this.extraLayers) h = layer.forward(h, context);
      return { hidden: h, present: attn.present };
    });
  }

  /** False when an extra sub-layer needs the whole sequence at every step. */
  get supportsKvCache(): boolean {
    return !this.extraLayers.some((layer) => layer.needsFullSequence);
  }

  /** Keeps `extraLayers` in step when `setSubmodule` replaces one of them. */
  protected override onChildReplaced(_name: string, old: Module, replacement: Module): void {
    const index = this.extraLayers.indexOf(old as ResidualSubLayer);
    if (index >= 0) this.extraLayers[index] = replacement as ResidualSubLayer;
  }
}
