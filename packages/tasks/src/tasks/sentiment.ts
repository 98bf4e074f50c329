import { labelSet } from '../data/sentiment.js';
import { SentimentClassifier } from '../heads/sentiment.js';
import { classificationSteps } from './classification.js';
import { loadSentimentSplits, sentimentSplitRuns } from './sentiment-splits.js';
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
  const { train, dev, test } = await loadSentimentSplits(dataDir, options.dataset, ctx.limit, seed);
  // Classes are the labels themselves (SST 0–4, CFIMDB 0–1), as the reference's cross-entropy uses them.
  const numLabels = Math.max(...labelSet(train), ...labelSet(dev)) + 1;
  const head = new SentimentClassifier(loaded.lm, {
    numLabels,
    dropoutProb: options.dropoutProb,
  });
  const splits = sentimentSplitRuns(
    { train, dev, test },
    loaded.tokenizer,
    loaded.lm.config.nPositions,
    ctx.log,
  );
  ctx.log(
    `${options.dataset}: ${train.length} train, ${dev.length} dev, ${test.length} test sentences, ${numLabels} classes`,
  );

  const steps = classificationSteps(head, loaded.tokenizer.padTokenId, seed, ctx.evalBatchSize);
  const predict = (rows: number[][]) => steps.predict(rows);

  return {
    name: 'sentiment',
    head,
    loaded,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches: (epoch, batchSize) =>
      steps.trainBatches(splits.rows.train, splits.trainLabels, epoch, batchSize),
    loss: (batch) => steps.loss(batch),
    evaluate: () => splits.evaluate(predict),
    predict: (dir, overwrite) => splits.writePredictions(predict, dir, options.dataset, overwrite),
  };
}
