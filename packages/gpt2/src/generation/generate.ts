import { getDefaultRng, linearProducts, multipliesByGemm, Rng, slice } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkIntRows, type IntMatrix, toIntRows } from '../inputs.js';
import { disposeCache, type PastKeyValues } from '../kv-cache.js';
import type { GPT2Model } from '../model.js';
import { tidyObject } from '../tidy.js';
import { chooseNextToken } from './next-token.js';
import { type GenerateOptions, type GenerationStep, resolveGenerateOptions } from './options.js';

/** What generation needs from a language model: its body and its (untransposed) head weight. */
export interface CausalLM {
  readonly transformer: GPT2Model;
  /** `[vocab, n_embd]`: logits = h·Wᵀ. */
  readonly headWeight: tf.Tensor2D;
}

/**
 * Decodes token by token and yields each step. With the KV cache (default) the prompt runs once and
 * every later step feeds one token per row; logits are computed at the last position only.
 * Breaking out of the loop frees everything.
 */
export async function* generateSteps(
  model: CausalLM,
  inputIds: IntMatrix,
  options: GenerateOptions = {},
): AsyncGenerator<GenerationStep, void, undefined> {
  const { config } = model.transformer;
  const opts = resolveGenerateOptions(options, config, model.transformer.supportsKvCache);
  const sequences = await toIntRows(inputIds);
  checkIntRows(sequences, 'inputIds', 0, config.vocabSize);
  const masks = options.attentionMask
    ? await toIntRows(options.attentionMask)
    : sequences.map((row) => row.map(() => 1));
  checkIntRows(masks, 'attentionMask', 0, 2);
  checkPadding(sequences, masks);
  const promptLength = sequences[0].length;
  if (promptLength + opts.maxNewTokens > config.nPositions) {
    throw new Error(
      `prompt length ${promptLength} + maxNewTokens ${opts.maxNewTokens} exceeds n_positions ${config.nPositions}`,
    );
  }
  const rng = opts.seed === undefined ? getDefaultRng() : new Rng(opts.seed);
  const finished = sequences.map(() => false);
  const vocab = config.vocabSize;
  // lgpt's GEMM multiplies by the head as it is (wasm: a packing it keeps); for tfjs's matMul it is
  // transposed once per call, as its transposeB matMul is ~6× slower than a plain one here.
  const headAsIs = multipliesByGemm(sequences.length, model.headWeight, false);
  const head = headAsIs
    ? model.headWeight
    : (tf.tidy(() => tf.transpose(model.headWeight)) as tf.Tensor2D);
  let past: PastKeyValues | undefined;
  try {
    for (let step = 0; step < opts.maxNewTokens; step++) {
      const feed =
        past && opts.useCache ? sequences.map((row) => [row[row.length - 1]]) : sequences;
      const { logits, presents } = tidyObject(() => {
        const out = model.transformer.forward(feed, {
          attentionMask: masks,
          pastKeyValues: opts.useCache ? past : undefined,
          useCache: opts.useCache,
        });
        const [batch, length, channels] = out.lastHiddenState.shape;
        const last = tf.reshape(
          slice(out.lastHiddenState, [0, length - 1, 0], [batch, 1, channels]),
          [batch, channels],
        ) as tf.Tensor2D;
        return {
          logits: linearProducts.forward(last, head, !headAsIs),
          presents: out.pastKeyValues ?? [],
        };
      });
      disposeCache(past);
      past = opts.useCache ? presents : undefined;
      const flat = (await logits.data()) as Float32Array;
      logits.dispose();
      const rowLogits = sequences.map((_, r) => flat.slice(r * vocab, (r + 1) * vocab));
      const tokens = sequences.map((row, r) => {
        if (finished[r]) return opts.padTokenId as number;
        const token = chooseNextToken(rowLogits[r], row, opts, rng);
        if (opts.eosTokenIds.has(token)) finished[r] = true;
        return token;
      });
      for (const [r, row] of sequences.entries()) row.push(tokens[r]);
      for (const row of masks) row.push(1);
      const result: GenerationStep = { step, tokens, finished: [...finished], logits: rowLogits };
      await options.onToken?.(result);
      yield result;
      if (finished.every(Boolean)) break;
    }
  } finally {
    disposeCache(past);
    if (!headAsIs) head.dispose();
  }
}

/**
 * Hugging Face's `generate` for GPT-2: returns each row's full sequence (prompt, then new tokens;
 * rows that stopped early are padded with `padTokenId`).
 */
export async function generate(
  model: CausalLM,
  inputIds: IntMatrix,
  options: GenerateOptions = {},
): Promise<number[][]> {
  const prompt = await toIntRows(inputIds);
  const added: number[][] = prompt.map(() => []);
  for await (const step of generateSteps(model, prompt, options)) {
    for (const [r, token] of step.tokens.entries()) added[r].push(token);
  }
  return prompt.map((row, r) => [...row, ...added[r]]);
}

/**
 * Generation appends at the end of every row, so a row may not end in padding: a right-padded
 * batch would continue from a pad token.
 */
function checkPadding(sequences: number[][], masks: number[][]): void {
  if (masks.length !== sequences.length || masks[0].length !== sequences[0].length) {
    throw new Error(
      `attentionMask has shape [${masks.length}, ${masks[0].length}], inputIds [${sequences.length}, ${sequences[0].length}]`,
    );
  }
  masks.forEach((row, r) => {
    if (row[row.length - 1] !== 1) {
      throw new Error(
        `row ${r} of the prompt ends in padding: generation needs left padding (batchEncode with paddingSide: 'left')`,
      );
    }
  });
}
