import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { seededSubset } from '../data/batching.js';
import { labelSet, loadSentimentData, loadSentimentTestData } from '../data/sentiment.js';
import { SentimentClassifier } from '../heads/sentiment.js';
import { accuracy, macroF1 } from '../metrics/classification.js';
import { writeSentimentPredictions } from '../train/predictions.js';
import { classificationSteps } from './classification.js';
import { encodeSplits } from './encode.js';
import type { TaskContext, TaskRun } from './types.js';

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
  const train = seededSubset((await loadSentimentData(file('train'))).examples, ctx.limit, seed);
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
  const sentences = (examples: { sentence: string }[]) => examples.map((e) => e.sentence);
  const {
    train: trainRows,
    dev: devRows,
    test: testRows,
  } = encodeSplits(
    loaded.tokenizer,
    { train: sentences(train), dev: sentences(dev), test: sentences(test) },
    maxLength,
    ctx.log,
    'sentences',
  );
  const pad = loaded.tokenizer.padTokenId;
  const trainLabels = train.map((e) => e.label);
  ctx.log(
    `${options.dataset}: ${train.length} train, ${dev.length} dev, ${test.length} test sentences, ${numLabels} classes`,
  );

  const steps = classificationSteps(head, pad, seed, ctx.evalBatchSize);

  return {
    name: 'sentiment',
    head,
    loaded,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches: (epoch, batchSize) =>
      steps.trainBatches(trainRows, trainLabels, epoch, batchSize),
    loss: (batch) => steps.loss(batch),
    async evaluate() {
      const predicted = await steps.predict(devRows);
      const gold = dev.map((e) => e.label);
      return { dev_accuracy: accuracy(gold, predicted), dev_macro_f1: macroF1(gold, predicted) };
    },
    async predict(dir, overwrite) {
      const written = [join(dir, `${options.dataset}-dev-out.csv`)];
      const devPred = await steps.predict(devRows);
      await writeSentimentPredictions(
        written[0],
        dev.map((e, i) => ({ id: e.id, prediction: devPred[i] })),
        { overwrite },
      );
      if (test.length) {
        written.push(join(dir, `${options.dataset}-test-out.csv`));
        const testPred = await steps.predict(testRows);
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
