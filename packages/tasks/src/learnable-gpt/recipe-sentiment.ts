import * as tf from '@tensorflow/tfjs-core';
import { labelSet } from '../data/sentiment.js';
import { classificationSteps } from '../tasks/classification.js';
import { padRows } from '../tasks/encode.js';
import { loadSentimentSplits, sentimentSplitRuns } from '../tasks/sentiment-splits.js';
import type { SeedTaskContext, SeedTaskRun } from './recipe-context.js';

/**
 * `classifier.py` on `ids-<dataset>-{train,dev,test-student}.csv`: the class count is the number of
 * distinct labels in the whole train file (`classifier.py:182`), the loss `CE(sum) / batch size`,
 * and the prediction files are named `<fine-tune-mode>-<dataset>-{dev,test}-out.csv` as there.
 */
export async function createSeedSentimentTask(ctx: SeedTaskContext): Promise<SeedTaskRun> {
  const dataset = ctx.settings.dataset ?? 'sst';
  const { trainFile, fullTrain, train, dev, test } = await loadSentimentSplits(
    ctx.dataDir,
    dataset,
    ctx.limit,
    ctx.seed,
  );
  const numLabels = labelSet(fullTrain).length;
  const outOfRange = fullTrain.find((e) => e.label >= numLabels);
  if (outOfRange) {
    throw new Error(
      `${trainFile}: label ${outOfRange.label} (id ${outOfRange.id}) is not below the ${numLabels} distinct labels the original counts; its cross-entropy would fail`,
    );
  }
  const model = ctx.build(numLabels);
  const splits = sentimentSplitRuns(
    { train, dev, test },
    ctx.tokenizer,
    model.gpt.config.maxPositions,
    ctx.log,
  );
  const pad = ctx.tokenizer.padTokenId;
  ctx.log(
    `${dataset}: ${train.length} train, ${dev.length} dev, ${test.length} test sentences, ${numLabels} classes (distinct train labels)`,
  );
  const steps = classificationSteps(
    { forward: (ids, mask) => model.forward(ids, mask) as tf.Tensor2D },
    pad,
    ctx.seed,
    ctx.evalBatchSize,
  );
  const predict = (rows: number[][]) => steps.predict(rows);
  const prefix = `${ctx.fineTuneMode}-${dataset}`;

  return {
    name: 'sentiment',
    head: model,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches: (epoch, batchSize) =>
      steps.trainBatches(splits.rows.train, splits.trainLabels, epoch, batchSize),
    loss(batch) {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, pad);
        const labels = tf.tensor1d(batch.labels!, 'int32');
        return model.loss(
          inputIds,
          attentionMask,
          labels,
          ctx.settings.batchSize ?? batch.rows.length,
        );
      });
    },
    evaluate: () => splits.evaluate(predict),
    predict: (dir, overwrite) => splits.writePredictions(predict, dir, prefix, overwrite),
  };
}
