import { Module } from '@lgpt/core';
import { causalLmLoss, type GPT2LMHeadModel, type GPT2Tokenizer, labelsFromMask } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';

export interface CompletionOptions {
  temperature?: number;
  topP?: number;
  maxNewTokens?: number;
  seed?: number;
}

/**
 * The original `SonnetGPT`: language-model fine-tuning on the sonnets (next-token cross-entropy
 * at every real position), and completion of held-out sonnets from their first lines with
 * temperature and nucleus sampling (the reference's defaults: temperature 1.2, top-p 0.9, up to
 * 128 new tokens, stopping at end-of-text).
 */
export class SonnetGenerator extends Module {
  readonly gpt: GPT2LMHeadModel;

  constructor(lm: GPT2LMHeadModel) {
    super();
    this.gpt = this.registerModule('gpt', lm);
  }

  /** Mean next-token loss over the real tokens of a padded batch. */
  loss(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const { lastHiddenState } = this.gpt.transformer.forward(inputIds, { attentionMask });
      return causalLmLoss(
        lastHiddenState,
        this.gpt.headWeight,
        labelsFromMask(inputIds, attentionMask),
      );
    });
  }

  /** Each prompt followed by its sampled continuation, as text. */
  async complete(
    tokenizer: GPT2Tokenizer,
    prompts: string[],
    options: CompletionOptions = {},
  ): Promise<string[]> {
    const out: string[] = [];
    for (const [i, prompt] of prompts.entries()) {
      const ids = tokenizer.encode(prompt);
      const room = this.gpt.config.nPositions - ids.length;
      if (room <= 0) {
        throw new Error(
          `prompt ${i} has ${ids.length} tokens; the model takes at most ${this.gpt.config.nPositions}`,
        );
      }
      const [sequence] = await this.gpt.generate([ids], {
        doSample: true,
        temperature: options.temperature ?? 1.2,
        topP: options.topP ?? 0.9,
        topK: 0,
        maxNewTokens: Math.min(options.maxNewTokens ?? 128, room),
        seed: options.seed === undefined ? undefined : options.seed + i,
      });
      const eos = tokenizer.eosTokenId;
      const end = sequence.indexOf(eos, ids.length);
      out.push(tokenizer.decode(end < 0 ? sequence : sequence.slice(0, end)));
    }
    return out;
  }
}
