import { type DownloadProgress, manualSeed, Rng } from '@lgpt/core';
import { causalLmLoss, GPT2LMHeadModel, GPT2Tokenizer } from '@lgpt/gpt2';
import { getPeftModel, type PeftModel } from '@lgpt/lora';
import { AdamW } from '@lgpt/tasks';
import * as tf from '@tensorflow/tfjs-core';
import { CORPUS, sampleWindows } from './corpus.js';
import { SETTINGS } from './settings.js';

export interface Generation {
  text: string;
  tokens: number;
}

/**
 * A GPT-2 (by default the page's random tiny checkpoint) with LoRA on every linear layer of its blocks. AdamW trains
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

  /**
   * Loads a GPT-2 and its tokenizer from `source` (a URL, a Hub id, or in Node a folder: the page
   * passes its own default checkpoint's URL) and puts LoRA on it. The browser keeps the files in
   * its Cache API, so a second visit downloads nothing.
   */
  static async create(
    source: string,
    onProgress?: (progress: DownloadProgress) => void,
  ): Promise<Finetuner> {
    const tokenizer = await GPT2Tokenizer.fromPretrained(source, { onProgress });
    const model = await GPT2LMHeadModel.fromPretrained(source, { onProgress });
    // Fine-tuning: dropout on; adapter initialisation and dropout draws follow the seed.
    model.train();
    manualSeed(SETTINGS.seed);
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
