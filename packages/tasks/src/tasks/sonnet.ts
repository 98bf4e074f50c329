import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batches, epochRng, seededSubset } from '../data/batching.js';
import { readTextFile } from '../data/read-text.js';
import { loadSonnets } from '../data/sonnets.js';
import { SonnetGenerator } from '../heads/sonnet.js';
import { sonnetChrf } from '../metrics/sonnet-chrf.js';
import { formatGeneratedSonnets, writeGeneratedSonnets } from '../train/predictions.js';
import { encodeTexts, padRows } from './encode.js';
import type { TaskContext, TaskRun, TrainBatch } from './types.js';

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
  const train = seededSubset(await loadSonnets(join(dataDir, 'sonnets.txt')), ctx.limit, seed);
  const devPrompts = await loadSonnets(join(dataDir, 'sonnets_held_out_dev.txt'));
  const goldPath = join(dataDir, 'TRUE_sonnets_held_out_dev.txt');
  const goldText = await readTextFile(goldPath);
  const testPrompts = await loadSonnets(join(dataDir, 'sonnets_held_out.txt'));
  const head = new SonnetGenerator(loaded.lm);
  const maxLength = loaded.lm.config.nPositions;
  const { rows: trainRows, truncated } = encodeTexts(loaded.tokenizer, train, maxLength);
  if (truncated) ctx.log(`train: ${truncated} sonnets cut to the model's ${maxLength} tokens`);
  const pad = loaded.tokenizer.padTokenId;
  ctx.log(
    `sonnets: ${train.length} train, ${devPrompts.length} dev prompts, ${testPrompts.length} test prompts`,
  );
  const complete = async (prompts: string[]) => {
    const texts = await head.complete(loaded.tokenizer, prompts, { ...options, seed });
    return texts.map((text, id) => ({ id, text }));
  };

  return {
    name: 'sonnet',
    head,
    loaded,
    primaryMetric: 'dev_chrf',
    trainSize: train.length,
    trainBatches(epoch, batchSize): TrainBatch[] {
      return batches(trainRows, batchSize, { rng: epochRng(seed, epoch) }).map((rows) => ({
        rows,
      }));
    },
    loss(batch) {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, pad);
        return head.loss(inputIds, attentionMask);
      });
    },
    async evaluate() {
      const generated = await complete(devPrompts);
      return { dev_chrf: sonnetChrf(formatGeneratedSonnets(generated), goldText).score };
    },
    async predict(dir, overwrite) {
      const devPath = join(dir, 'generated_sonnets_dev.txt');
      const testPath = join(dir, 'generated_sonnets.txt');
      await writeGeneratedSonnets(devPath, await complete(devPrompts), { overwrite });
      await writeGeneratedSonnets(testPath, await complete(testPrompts), { overwrite });
      return [devPath, testPath];
    },
  };
}
