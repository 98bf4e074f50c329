import { manualSeed, Rng } from '@lgpt/core';
import {
  causalLmLoss,
  type GPT2ConfigFields,
  GPT2LMHeadModel,
  GPT2Tokenizer,
  gpt2Preset,
} from '@lgpt/gpt2';
import { getPeftModel, type LoraConfigInit, type PeftModel } from '@lgpt/lora';
import { AdamW } from '@lgpt/tasks';
import * as tf from '@tensorflow/tfjs-core';
import { CORPUS, sampleWindows } from './corpus.js';
import { subsetTokenizer } from './subset-tokenizer.js';

/** Sizes kept small so that a step takes seconds, not a minute, even on a software GPU. */
export const SETTINGS = {
  seed: 0,
  /**
   * Overrides of `gpt2Preset('tiny')` (4 layers × 128 wide). A random base with GPT-2's
   * initializer_range of 0.02 has tied embeddings so small that its logits stay within a few
   * units whatever the adapters do, which caps how far the loss can fall; 0.1 leaves them room.
   */
  model: { nLayer: 2, initializerRange: 0.1 } satisfies Partial<GPT2ConfigFields>,
  batchSize: 4,
  seqLen: 32,
  lr: 1e-2,
  lora: {
    r: 8,
    loraAlpha: 16,
    targetModules: ['c_attn', 'c_proj', 'c_fc'],
  } satisfies LoraConfigInit,
  generation: { maxNewTokens: 24, doSample: true, topK: 20, temperature: 0.8 },
};

export interface Generation {
  text: string;
  tokens: number;
}

/**
 * A randomly initialised tiny GPT-2 with LoRA on every linear layer of its blocks. AdamW trains
 * the adapters only (PEFT freezes the rest), on random windows of the bundled sonnets.
 */
export class Finetuner {
  private readonly batchRng = new Rng(SETTINGS.seed + 1);
  private generations = 0;

  private constructor(
    readonly tokenizer: GPT2Tokenizer,
    readonly model: GPT2LMHeadModel,
    readonly peft: PeftModel<GPT2LMHeadModel>,
    readonly optimizer: AdamW,
    readonly tokens: readonly number[],
  ) {}

  static async create(): Promise<Finetuner> {
    const tokenizer = subsetTokenizer(await GPT2Tokenizer.load(), CORPUS);
    const { vocabSize, eosTokenId } = tokenizer;
    manualSeed(SETTINGS.seed);
    const config = gpt2Preset('tiny', {
      ...SETTINGS.model,
      vocabSize,
      bosTokenId: eosTokenId,
      eosTokenId,
    });
    const model = new GPT2LMHeadModel(config);
    const peft = getPeftModel(model, SETTINGS.lora);
    const optimizer = new AdamW({ lr: SETTINGS.lr });
    return new Finetuner(tokenizer, model, peft, optimizer, tokenizer.encode(CORPUS));
  }

  /** One optimizer step on a fresh batch; resolves to its loss. */
  async trainStep(): Promise<number> {
    const ids = sampleWindows(this.tokens, SETTINGS.batchSize, SETTINGS.seqLen, this.batchRng);
    const loss = this.optimizer.minimize(
      () => {
        // The body only: causalLmLoss applies the LM head itself, never holding all the logits.
        const { lastHiddenState } = this.model.transformer.forward(ids);
        return causalLmLoss(
          lastHiddenState,
          this.model.headWeight,
          tf.tensor2d(ids, undefined, 'int32'),
        );
      },
      true,
      this.peft.parameters({ trainableOnly: true }),
    ) as tf.Scalar;
    const [value] = await loss.data();
    loss.dispose();
    return value;
  }

  /** Samples up to `maxNewTokens` tokens after `prompt` (KV cache), reporting the text as it grows. */
  async generate(
    prompt: string,
    onText: (text: string) => void,
    maxNewTokens = SETTINGS.generation.maxNewTokens,
  ): Promise<Generation> {
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
      throw new Error(`the number of new tokens must be a whole number ≥ 1, got ${maxNewTokens}`);
    }
    const promptIds = this.tokenizer.encode(prompt);
    if (promptIds.length === 0) throw new Error('the prompt is empty');
    const room = this.model.config.nPositions - maxNewTokens;
    if (promptIds.length > room) {
      throw new Error(
        `the prompt has ${promptIds.length} tokens; this model takes at most ${room}`,
      );
    }
    const newIds: number[] = [];
    const decode = () => this.tokenizer.decode(newIds, { skipSpecialTokens: true });
    this.model.eval();
    try {
      await this.model.generate([promptIds], {
        ...SETTINGS.generation,
        maxNewTokens,
        seed: SETTINGS.seed + 100 + this.generations++,
        onToken: ({ tokens }) => {
          newIds.push(tokens[0]);
          onText(decode());
        },
      });
    } finally {
      this.model.train();
    }
    return { text: decode(), tokens: newIds.length };
  }
}
