import { Conv1D, Dropout, fusedAttention, type LinearLike, Module } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { attend, attendQkv, splitQkv } from './attention-core.js';
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
    let divisor = config.scaleAttnWeights ? Math.sqrt(config.headDim) : 1;
    if (config.scaleAttnByInverseLayerIdx) divisor *= layerIdx + 1;
    this.scoreDivisor = divisor;
  }

  /**
   * `x` `[B, T, C]`; `bias` `[B|1, 1, T, past+T]` (see `attentionBias`); `past` this layer's cache.
   */
  forward(x: tf.Tensor3D, bias: tf.Tensor4D, past?: LayerKV, useCache = false): AttentionOutput {
    const [batch, length] = x.shape;
    const qkv = this.cAttn.forward(x) as tf.Tensor3D;
    const keys = (past ? past.key.shape[2] : 0) + length;
    const mask = this.attnDropout.sampleMask([batch, this.nHead, length, keys]);
    const options = {
      divisor: this.scoreDivisor,
      dropout: mask ? { mask, p: this.attnDropout.p } : null,
    };
    let merged: tf.Tensor3D;
    let present: LayerKV | undefined;
    // With no dropout and no gradient, one kernel where the backend has one (wasm): the ops' bits.
    const fused = mask
      ? null
      : fusedAttention(qkv, bias, this.nHead, this.scoreDivisor, { past, cache: useCache });
    if (fused) {
      merged = fused.output;
      present = fused.present;
    } else if (past) {
      const [q, kNew, vNew] = splitQkv(qkv, this.nHead);
      const key = tf.concat([past.key, kNew], 2) as tf.Tensor4D;
      const value = tf.concat([past.value, vNew], 2) as tf.Tensor4D;
      const context = attend(q, key, value, bias, options);
      merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, -1]) as tf.Tensor3D;
      present = { key, value };
    } else {
      merged = attendQkv(qkv, bias, this.nHead, options);
      if (useCache) {
        const [, key, value] = splitQkv(qkv, this.nHead);
        present = { key, value };
      }
    }
    const output = this.residDropout.forward(this.cProj.forward(merged)) as tf.Tensor3D;
    return useCache ? { output, present } : { output };
  }
}
