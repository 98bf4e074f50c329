import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batches, epochRng } from '../data/batching.js';
import { labelSet, loadSentimentData, loadSentimentTestData } from '../data/sentiment.js';
import { SentimentClassifier } from '../heads/sentiment.js';
import { accuracy, macroF1 } from '../metrics/classification.js';
import { writeSentimentPredictions } from '../train/predictions.js';
import { argmaxRows, crossEntropy, encodeTexts, inOrder, padRows } from './encode.js';
import type { TaskContext, TaskRun, TrainBatch } from './types.js';

export const SENTIMENT_DATASETS = ['sst', 'cfimdb'] as const;
export type SentimentDataset = (typeof SENTIMENT_DATASETS)[number];

export interface SentimentTaskOptions {
  dataset: SentimentDataset;
  /** Dropout before the classifier (the original's default 0.3). */
  dropoutProb?: number;
}

/** SST-5 or CFIMDB classification from `ids-<dataset>-{train,dev,test-student}.csv`. */
export async function createSentimentTask(
  ctx: TaskContext,
  options: SentimentTaskOptions,
): Promise<TaskRun> {
  const { loaded, dataDir, seed } = ctx;
  const file = (split: string) => join(dataDir, `ids-${options.dataset}-${split}.csv`);
  const train = (await loadSentimentData(file('train'))).examples.slice(0, ctx.limit);
  const dev = (await loadSentimentData(file('dev'))).examples;
  const testFile = file('test-student');
  const test = existsSync(testFile) ? (await loadSentimentTestData(testFile)).examples : [];
  // Classes are the labels themselves (SST 0–4, CFIMDB 0–1), as the reference's cross-entropy uses them.
  const numLabels = Math.max(...labelSet(train), ...labelSet(dev)) + 1;
  const head = new SentimentClassifier(loaded.lm, {
    numLabels,
    dropoutProb: options.dropoutProb,
  });
  const maxLength = loaded.lm.config.nPositions;
  const encode = (name: string, sentences: string[]) => {
    const { rows, truncated } = encodeTexts(loaded.tokenizer, sentences, maxLength);
    if (truncated)
      ctx.log(`${name}: ${truncated} sentences cut to the model's ${maxLength} tokens`);
    return rows;
  };
  const trainRows = encode(
    'train',
    train.map((e) => e.sentence),
  );
  const devRows = encode(
    'dev',
    dev.map((e) => e.sentence),
  );
  const testRows = encode(
    'test',
    test.map((e) => e.sentence),
  );
  const pad = loaded.tokenizer.padTokenId;
  ctx.log(
    `${options.dataset}: ${train.length} train, ${dev.length} dev, ${test.length} test sentences, ${numLabels} classes`,
  );

  const predictRows = async (rows: number[][]) => {
    const out: number[] = [];
    for (const chunk of inOrder(rows, ctx.evalBatchSize)) {
      const { inputIds, attentionMask } = padRows(chunk, pad);
      const logits = head.forward(inputIds, attentionMask);
      out.push(...(await argmaxRows(logits)));
      tf.dispose([inputIds, attentionMask, logits]);
    }
    return out;
  };

  return {
    name: 'sentiment',
    head,
    loaded,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches(epoch, batchSize): TrainBatch[] {
      const indices = batches([...train.keys()], batchSize, { rng: epochRng(seed, epoch) });
      return indices.map((b) => ({
        rows: b.map((i) => trainRows[i]),
        labels: b.map((i) => train[i].label),
      }));
    },
    loss(batch) {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, pad);
        return crossEntropy(head.forward(inputIds, attentionMask), batch.labels!);
      });
    },
    async evaluate() {
      const predicted = await predictRows(devRows);
      const gold = dev.map((e) => e.label);
      return { dev_accuracy: accuracy(gold, predicted), dev_macro_f1: macroF1(gold, predicted) };
    },
    async predict(dir, overwrite) {
      const written = [join(dir, `${options.dataset}-dev-out.csv`)];
      const devPred = await predictRows(devRows);
      await writeSentimentPredictions(
        written[0],
        dev.map((e, i) => ({ id: e.id, prediction: devPred[i] })),
        { overwrite },
      );
      if (test.length) {
        written.push(join(dir, `${options.dataset}-test-out.csv`));
        const testPred = await predictRows(testRows);
        await writeSentimentPredictions(
          written[1],
          test.map((e, i) => ({ id: e.id, prediction: testPred[i] })),
          { overwrite },
        );
      }
      return written;
    },
  };
}
