import { Dropout, Embedding, embeddingLookup, LayerNorm, Module, ModuleList } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { attentionBias, causalBiasTable, positionIdsFromMask } from './attention-bias.js';
import { type BlockExtensions, GPT2Block } from './block.js';
import type { GPT2Config } from './config.js';
import { checkpointedBlock } from './gradient-checkpointing.js';
import { type IntMatrix, toIntTensor } from './inputs.js';
import { type LayerKV, type PastKeyValues, pastLength } from './kv-cache.js';
import type { LayerRngs } from './rngs.js';
import { tidyObject } from './tidy.js';

export interface GPT2ModelOptions extends LayerRngs {
  /**
   * Hooks applied to every block: how it builds its MLP, extra residual sub-layers. Default: none
   * (plain GPT-2). Adapters such as Learnable-GPT's variants (`@lgpt/tasks`) come in here.
   */
  extensions?: BlockExtensions;
}

export interface ForwardOptions {
  /**
   * 1 for real tokens, 0 for padding, `[B, past + T]`. Padded keys are never attended to, and
   * unless `positionIds` are given positions are counted over real tokens only (as Hugging Face's
   * `generate` does), so left- and right-padded rows match the unpadded sequence at real tokens.
   */
  attentionMask?: IntMatrix;
  /** `[B, T]`; default: from `attentionMask`, else `past, past+1, …`. */
  positionIds?: IntMatrix;
  /** The cache returned by an earlier call with `useCache` (not disposed by this call). */
  pastKeyValues?: PastKeyValues;
  /** Return `pastKeyValues` with this call's keys and values appended. Default false. */
  useCache?: boolean;
  /** Return the input of every block and the final normalised output (`nLayer + 1` tensors). */
  outputHiddenStates?: boolean;
}

export interface GPT2ModelOutput {
  /** Output of the final layer norm `ln_f`, `[B, T, C]`. */
  lastHiddenState: tf.Tensor3D;
  hiddenStates?: tf.Tensor3D[];
  pastKeyValues?: PastKeyValues;
}

/**
 * Hugging Face's `GPT2Model`: token + position embeddings, `n_layer` blocks, final layer norm.
 * Parameter names match Hugging Face's (`wte.weight`, `h.0.attn.c_attn.weight`, …).
 */
export class GPT2Model extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly drop: Dropout;
  readonly h: ModuleList<GPT2Block>;
  readonly lnF: LayerNorm;
  private gradientCheckpointing = false;

  constructor(
    readonly config: GPT2Config,
    options: GPT2ModelOptions = {},
  ) {
    super();
    const { initRng, dropoutRng, extensions = {} } = options;
    const std = config.initializerRange;
    this.wte = this.registerModule(
      'wte',
      new Embedding(config.vocabSize, config.nEmbd, { initStd: std, rng: initRng }),
    );
    this.wpe = this.registerModule(
      'wpe',
      new Embedding(config.nPositions, config.nEmbd, { initStd: std, rng: initRng }),
    );
    this.drop = this.registerModule('drop', new Dropout(config.embdPdrop, dropoutRng));
    const blocks: GPT2Block[] = [];
    for (let i = 0; i < config.nLayer; i++) {
      blocks.push(new GPT2Block(config, i, extensions, { initRng, dropoutRng }));
    }
    this.h = this.registerModule('h', new ModuleList(blocks));
    this.lnF = this.registerModule('ln_f', new LayerNorm(config.nEmbd, config.layerNormEpsilon));
    // Not in the state dict: rebuilt from the config, like Hugging Face's non-persistent `bias`.
    this.registerBuffer('causal_bias', causalBiasTable(config.nPositions), false);
  }

  /**
   * Hugging Face's `gradient_checkpointing_enable()`: in train mode, while gradients are being
   * taken, each block keeps only its input (and its dropout masks) and recomputes its activations
   * in the backward pass, with the same dropout masks: the same gradients, with one block's
   * activations in memory at a time, for a second forward pass of every block. A call with a KV
   * cache (`useCache`, `pastKeyValues`) runs without it, as Hugging Face turns `use_cache` off.
   */
  gradientCheckpointingEnable(): this {
    this.gradientCheckpointing = true;
    return this;
  }

  /** Hugging Face's `gradient_checkpointing_disable()`. */
  gradientCheckpointingDisable(): this {
    this.gradientCheckpointing = false;
    return this;
  }

  /** Hugging Face's `is_gradient_checkpointing`. */
  get isGradientCheckpointing(): boolean {
    return this.gradientCheckpointing;
  }

  forward(inputIds: IntMatrix, options: ForwardOptions = {}): GPT2ModelOutput {
    const { pastKeyValues: past, useCache = false, outputHiddenStates = false } = options;
    const { vocabSize, nPositions, nLayer } = this.config;
    if (past && past.length !== nLayer) {
      throw new Error(`pastKeyValues has ${past.length} layers, the model has ${nLayer}`);
    }
    return tidyObject(() => {
      const ids = toIntTensor(inputIds, 'inputIds', 0, vocabSize);
      const [batch, length] = ids.shape;
      const pastLen = pastLength(past);
      if (pastLen + length > nPositions) {
        throw new Error(
          `sequence length ${pastLen + length} (past ${pastLen} + input ${length}) exceeds n_positions ${nPositions}`,
        );
      }
      const mask = options.attentionMask
        ? toIntTensor(options.attentionMask, 'attentionMask', 0, 2)
        : null;
      if (mask && (mask.shape[0] !== batch || mask.shape[1] !== pastLen + length)) {
        throw new Error(
          `attentionMask has shape [${mask.shape}], expected [${batch}, ${pastLen + length}] (batch, past + input length)`,
        );
      }
      const positions = this.positionIds(options.positionIds, mask, batch, length, pastLen);
      const tokens = embeddingLookup(this.wte.weight, ids);
      let hidden = tf.add(tokens, embeddingLookup(this.wpe.weight, positions)) as tf.Tensor3D;
      hidden = this.drop.forward(hidden) as tf.Tensor3D;
      const context = {
        attentionBias: attentionBias(
          this.getBuffer('causal_bias') as tf.Tensor2D,
          pastLen,
          length,
          mask,
        ),
        attentionMask: mask,
      };
      const hiddenStates: tf.Tensor3D[] = [];
      const presents: LayerKV[] = [];
      const checkpoint =
        this.gradientCheckpointing &&
        this.training &&
        tf.engine().isTapeOn() &&
        !useCache &&
        past === undefined;
      for (let i = 0; i < nLayer; i++) {
        if (outputHiddenStates) hiddenStates.push(hidden);
        if (checkpoint) {
          hidden = checkpointedBlock(this.h.at(i), hidden, context);
          continue;
        }
        const out = this.h.at(i).forward(hidden, context, past?.[i], useCache);
        hidden = out.hidden;
        if (out.present) presents.push(out.present);
      }
      const lastHiddenState = this.lnF.forward(hidden) as tf.Tensor3D;
      const result: GPT2ModelOutput = { lastHiddenState };
      if (outputHiddenStates) result.hiddenStates = [...hiddenStates, lastHiddenState];
      if (useCache) result.pastKeyValues = presents;
      return result;
    });
  }

  /** False when a block has a sub-layer that needs the whole sequence at every step. */
  get supportsKvCache(): boolean {
    return Array.from({ length: this.h.length }, (_, i) => this.h.at(i)).every(
      (block) => block.supportsKvCache,
    );
  }

  private positionIds(
    given: IntMatrix | undefined,
    mask: tf.Tensor2D | null,
    batch: number,
    length: number,
    pastLen: number,
  ): tf.Tensor2D {
    if (given) {
      const positions = toIntTensor(given, 'positionIds', 0, this.config.nPositions);
      if (positions.shape[0] !== batch || positions.shape[1] !== length) {
        throw new Error(
          `positionIds has shape [${positions.shape}], expected [${batch}, ${length}]`,
        );
      }
      return positions;
    }
    if (mask) return positionIdsFromMask(mask, length);
    return tf.expandDims(tf.range(pastLen, pastLen + length, 1, 'int32'), 0) as tf.Tensor2D;
  }
}
