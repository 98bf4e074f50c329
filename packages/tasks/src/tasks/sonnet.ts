import * as tf from '@tensorflow/tfjs-core';
import { SonnetGenerator } from '../heads/sonnet.js';
import { padRows } from './encode.js';
import { loadSonnetSplits } from './sonnet-splits.js';
import type { TaskContext, TaskRun } from './types.js';

export interface SonnetTaskOptions {
  temperature?: number;
  topP?: number;
  maxNewTokens?: number;
}

/**
 * Sonnet generation: language-model fine-tuning on `sonnets.txt`; dev = completing the first 3
 * lines of each `sonnets_held_out_dev.txt` sonnet, scored with chrF against
 * `TRUE_sonnets_held_out_dev.txt` (the reference's `test_sonnet`); test = completing
 * `sonnets_held_out.txt`. Sampling is seeded, so an evaluation is reproducible.
 */
export async function createSonnetTask(
  ctx: TaskContext,
  options: SonnetTaskOptions = {},
): Promise<TaskRun> {
  const { loaded, dataDir, seed } = ctx;
  const head = new SonnetGenerator(loaded.lm);
  const splits = await loadSonnetSplits(
    dataDir,
    { limit: ctx.limit, seed },
    loaded.tokenizer,
    loaded.lm.config.nPositions,
    ctx.log,
  );
  const pad = loaded.tokenizer.padTokenId;
  const complete = async (prompts: string[]) => {
    const texts = await head.complete(loaded.tokenizer, prompts, { ...options, seed });
    return texts.map((text, id) => ({ id, text }));
  };

  return {
    name: 'sonnet',
    head,
    loaded,
    primaryMetric: 'dev_chrf',
    trainSize: splits.trainSize,
    trainBatches: (epoch, batchSize) => splits.trainBatches(epoch, batchSize),
    loss(batch) {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, pad);
        return head.loss(inputIds, attentionMask);
      });
    },
    evaluate: () => splits.evaluate(complete),
    predict: (dir, overwrite) => splits.writePredictions(complete, dir, overwrite),
  };
}
