import { answerIds, ParaphraseDetector, paraphrasePrompt } from '../heads/paraphrase.js';
import { classificationSteps } from './classification.js';
import { loadParaphraseSplits, paraphraseSplitRuns } from './paraphrase-splits.js';
import type { TaskContext, TaskRun } from './types.js';

export interface ParaphraseTaskOptions {
  /** Share of the labelled file held out as dev when there is no separate train file. Default 0.1. */
  devFraction?: number;
}

/**
 * Quora paraphrase detection. Trains on `quora-train.csv` and evaluates on `quora-dev.csv` when
 * both exist; with only `quora-dev.csv` (as bundled) it trains on a seeded split of it. Rows
 * without a label (two in the bundled file) are left out and reported.
 */
export async function createParaphraseTask(
  ctx: TaskContext,
  options: ParaphraseTaskOptions = {},
): Promise<TaskRun> {
  const { loaded, dataDir, seed } = ctx;
  const { train, dev, test } = await loadParaphraseSplits(
    dataDir,
    { devFraction: options.devFraction, limit: ctx.limit, seed },
    ctx.log,
  );
  const answers = answerIds(loaded.tokenizer);
  const head = new ParaphraseDetector(loaded.lm, answers);
  const splits = paraphraseSplitRuns(
    { train, dev, test },
    { prompt: paraphrasePrompt, testPrompt: paraphrasePrompt },
    loaded.tokenizer,
    loaded.lm.config.nPositions,
    ctx.log,
  );
  const steps = classificationSteps(head, loaded.tokenizer.padTokenId, seed, ctx.evalBatchSize);
  const predict = (rows: number[][]) => steps.predict(rows);
  // The reference's prediction files hold the answer's token id.
  const asTokenId = (label: number) => (label === 1 ? answers.yes : answers.no);

  return {
    name: 'paraphrase',
    head,
    loaded,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches: (epoch, batchSize) =>
      steps.trainBatches(splits.rows.train, splits.trainLabels, epoch, batchSize),
    loss: (batch) => steps.loss(batch),
    evaluate: () => splits.evaluate(predict),
    predict: (dir, overwrite) =>
      splits.writePredictions(predict, { dev: asTokenId, test: asTokenId }, dir, overwrite),
  };
}
