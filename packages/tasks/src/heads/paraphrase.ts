import { batchMatMul, gatherRows, Module } from '@lgpt/core';
import { type GPT2LMHeadModel, type GPT2Tokenizer, gatherLastToken } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';

/** GPT-2's ids of the answers: "yes" = 8505, "no" = 3919. */
export interface AnswerIds {
  yes: number;
  no: number;
}

/** The single-token ids of "yes" and "no" in `tokenizer`'s vocabulary. */
export function answerIds(tokenizer: GPT2Tokenizer): AnswerIds {
  const single = (word: string) => {
    const ids = tokenizer.encode(word);
    if (ids.length !== 1) {
      throw new Error(
        `the tokenizer splits '${word}' into ${ids.length} tokens; paraphrase detection needs one`,
      );
    }
    return ids[0];
  };
  return { yes: single('yes'), no: single('no') };
}

/** The cloze prompt the reference trains on (its missing closing quote after s2 kept). */
export function paraphrasePrompt(sentence1: string, sentence2: string): string {
  return `Question 1: "${sentence1}"\nQuestion 2: "${sentence2}\nAre these questions asking the same thing?\n`;
}

/**
 * Paraphrase detection as a cloze task: after the prompt, the language model's next-token logits
 * for "no" and "yes" are the two class scores (class 1 = paraphrase). No new head: the LM head's
 * rows for the two answers (tied to the embeddings) score the last real token's hidden state.
 */
export class ParaphraseDetector extends Module {
  readonly gpt: GPT2LMHeadModel;
  readonly answers: AnswerIds;

  constructor(lm: GPT2LMHeadModel, answers: AnswerIds) {
    super();
    this.gpt = this.registerModule('gpt', lm);
    this.answers = answers;
  }

  /** `[B, 2]` logits: column 0 "no", column 1 "yes". */
  forward(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { lastHiddenState } = this.gpt.transformer.forward(inputIds, { attentionMask });
      const last = gatherLastToken(lastHiddenState, attentionMask);
      const rows = tf.tensor1d([this.answers.no, this.answers.yes], 'int32');
      // gatherRows/batchMatMul keep the gradient path to the (tied) head for full fine-tuning.
      const answerWeights = gatherRows(this.gpt.headWeight, rows);
      return batchMatMul(last, tf.transpose(answerWeights)) as tf.Tensor2D;
    });
  }
}
