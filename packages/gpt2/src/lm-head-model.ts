import { Module } from '@lgpt/core';
import type * as tf from '@tensorflow/tfjs-core';
import { type LoadingInfo, type LoadPretrainedOptions, loadPretrained } from './checkpoint/load.js';
import { type SavePretrainedOptions, savePretrained } from './checkpoint/save.js';
import type { GPT2Config } from './config.js';
import { type CausalLM, generate, generateSteps } from './generation/generate.js';
import type { GenerateOptions, GenerationStep } from './generation/options.js';
import type { IntMatrix } from './inputs.js';
import { LMHead } from './lm-head.js';
import {
  type ForwardOptions,
  GPT2Model,
  type GPT2ModelOptions,
  type GPT2ModelOutput,
} from './model.js';
import { tidyObject } from './tidy.js';

export interface CausalLMOutput extends GPT2ModelOutput {
  /** Next-token logits at every position, `[B, T, vocab]`. */
  logits: tf.Tensor3D;
}

/**
 * Hugging Face's `GPT2LMHeadModel`: `transformer` (a `GPT2Model`) and `lm_head`, tied to
 * `transformer.wte` unless `tie_word_embeddings` is false. Loads and saves Hugging Face checkpoint
 * folders, and generates with a KV cache.
 */
export class GPT2LMHeadModel extends Module implements CausalLM {
  readonly transformer: GPT2Model;
  readonly lmHead: LMHead;
  /** Set by `fromPretrained`: which keys were initialised fresh or left unused. */
  loadingInfo: LoadingInfo | null = null;

  constructor(
    readonly config: GPT2Config,
    options: GPT2ModelOptions = {},
  ) {
    super();
    this.transformer = this.registerModule('transformer', new GPT2Model(config, options));
    this.lmHead = this.registerModule(
      'lm_head',
      new LMHead(
        config.tieWordEmbeddings,
        this.transformer.wte.weight,
        config.initializerRange,
        options.initRng,
      ),
    );
  }

  /**
   * Reads a Hugging Face checkpoint (`config.json` + safetensors), tensor by tensor, from a folder,
   * an http(s) base URL or a Hub id (`openai-community/gpt2`, or a size name such as `gpt2`;
   * `revision`, `token`, `onProgress` in `options`), downloading into huggingface_hub's cache in
   * Node and the Cache API in browsers. With a variant's switches in `configOverrides`, the
   * modules it adds are initialised fresh and listed in `loadingInfo`.
   */
  static async fromPretrained(
    nameOrPath: string,
    options: LoadPretrainedOptions = {},
  ): Promise<GPT2LMHeadModel> {
    const { model, loadingInfo } = await loadPretrained(
      nameOrPath,
      (config, modelOptions) => new GPT2LMHeadModel(config, modelOptions),
      options,
    );
    model.loadingInfo = loadingInfo;
    return model;
  }

  /** Writes `config.json` and `model.safetensors` (sharded past `maxShardSize`) as Hugging Face does. */
  savePretrained(dir: string, options: SavePretrainedOptions = {}): Promise<void> {
    return savePretrained(this, dir, options);
  }

  get headWeight(): tf.Tensor2D {
    return this.lmHead.weight as tf.Tensor2D;
  }

  /**
   * Hugging Face's `gradient_checkpointing_enable()`: the transformer's blocks keep only their
   * inputs and recompute their activations in backward (see `GPT2Model`).
   */
  gradientCheckpointingEnable(): this {
    this.transformer.gradientCheckpointingEnable();
    return this;
  }

  /** Hugging Face's `gradient_checkpointing_disable()`. */
  gradientCheckpointingDisable(): this {
    this.transformer.gradientCheckpointingDisable();
    return this;
  }

  /** Hugging Face's `is_gradient_checkpointing`. */
  get isGradientCheckpointing(): boolean {
    return this.transformer.isGradientCheckpointing;
  }

  forward(inputIds: IntMatrix, options: ForwardOptions = {}): CausalLMOutput {
    return tidyObject(() => {
      const out = this.transformer.forward(inputIds, options);
      const logits = this.lmHead.forward(out.lastHiddenState) as tf.Tensor3D;
      return { ...out, logits };
    });
  }

  /** Generates continuations; resolves to each row's full sequence (see `GenerateOptions`). */
  generate(inputIds: IntMatrix, options: GenerateOptions = {}): Promise<number[][]> {
    return generate(this, inputIds, options);
  }

  /** The same decoding as `generate`, one step at a time: `for await (const step of …)`. */
  generateStream(
    inputIds: IntMatrix,
    options: GenerateOptions = {},
  ): AsyncGenerator<GenerationStep, void, undefined> {
    return generateSteps(this, inputIds, options);
  }
}
