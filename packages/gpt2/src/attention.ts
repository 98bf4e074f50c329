import { Conv1D, Dropout, type LinearLike, Module } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { GPT2Config } from './config.js';
import type { LayerKV } from './kv-cache.js';
import type { LayerRngs } from './rngs.js';

export interface AttentionOutput {
  output: tf.Tensor3D;
  /** Keys and values including the new positions, when a cache was asked for. */
  present?: LayerKV;
}

/**
 * Hugging Face's `GPT2Attention`: one `c_attn` projection to q, k, v (in that order), heads split
 * as `[B, H, T, D]`, scaled dot-product attention with an additive bias, and `c_proj`.
 * `cAttn` / `cProj` are `LinearLike`, so an adapter (LoRA) can replace them with `setSubmodule`.
 */
export class GPT2Attention extends Module {
  cAttn: LinearLike;
  cProj: LinearLike;
  readonly attnDropout: Dropout;
  readonly residDropout: Dropout;
  private readonly nHead: number;
  private readonly headDim: number;
  /** Hugging Face divides the scores by √D, and by `layerIdx + 1` with `scale_attn_by_inverse_layer_idx`. */
  private readonly scoreDivisor: number;

  constructor(config: GPT2Config, layerIdx: number, { initRng, dropoutRng }: LayerRngs = {}) {
    super();
    const c = config.nEmbd;
    // GPT-2's scaled init: residual projections get std / √(2·n_layer).
    const projStd = config.initializerRange / Math.sqrt(2 * config.nLayer);
    this.cAttn = this.registerModule(
      'c_attn',
      new Conv1D(c, 3 * c, { initStd: config.initializerRange, rng: initRng }),
    );
    this.cProj = this.registerModule(
      'c_proj',
      new Conv1D(c, c, { initStd: projStd, rng: initRng }),
    );
    this.attnDropout = this.registerModule(
      'attn_dropout',
      new Dropout(config.attnPdrop, dropoutRng),
    );
    this.residDropout = this.registerModule(
      'resid_dropout',
      new Dropout(config.residPdrop, dropoutRng),
    );
    this.nHead = config.nHead;
    this.headDim = config.headDim;
    let divisor = config.scaleAttnWeights ? Math.sqrt(this.headDim) : 1;
    if (config.scaleAttnByInverseLayerIdx) divisor *= layerIdx + 1;
    this.scoreDivisor = divisor;
  }

  /**
   * `x` `[B, T, C]`; `bias` `[B|1, 1, T, past+T]` (see `attentionBias`); `past` this layer's cache.
   */
  forward(x: tf.Tensor3D, bias: tf.Tensor4D, past?: LayerKV, useCache = false): AttentionOutput {
    const [batch, length, channels] = x.shape;
    const qkv = this.cAttn.forward(x);
    const [q, kNew, vNew] = tf.split(qkv, 3, 2).map((t) => this.splitHeads(t, batch, length));
    const key = past ? (tf.concat([past.key, kNew], 2) as tf.Tensor4D) : kNew;
    const value = past ? (tf.concat([past.value, vNew], 2) as tf.Tensor4D) : vNew;
    let scores = tf.matMul(q, key, false, true);
    if (this.scoreDivisor !== 1) scores = tf.div(scores, this.scoreDivisor);
    const probs = this.attnDropout.forward(tf.softmax(tf.add(scores, bias)));
    const context = tf.matMul(probs, value);
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, channels]);
    const output = this.residDropout.forward(this.cProj.forward(merged)) as tf.Tensor3D;
    return useCache ? { output, present: { key, value } } : { output };
  }

  /** `[B, T, C]` → `[B, H, T, D]`. */
  private splitHeads(t: tf.Tensor, batch: number, length: number): tf.Tensor4D {
    return tf.transpose(tf.reshape(t, [batch, length, this.nHead, this.headDim]), [0, 2, 1, 3]);
  }
}
