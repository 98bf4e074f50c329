import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { seededSubset } from '../data/batching.js';
import { labelSet, loadSentimentData, loadSentimentTestData } from '../data/sentiment.js';
import { accuracy, macroF1 } from '../metrics/classification.js';
import { classificationSteps } from '../tasks/classification.js';
import { encodeSplits, padRows } from '../tasks/encode.js';
import { writeSentimentPredictions } from '../train/predictions.js';
import type { SeedTaskContext, SeedTaskRun } from './recipe-context.js';

/**
 * `classifier.py` on `ids-<dataset>-{train,dev,test-student}.csv`: the class count is the number of
 * distinct labels in the whole train file (`classifier.py:182`), the loss `CE(sum) / batch size`,
 * and the prediction files are named `<fine-tune-mode>-<dataset>-{dev,test}-out.csv` as there.
 */
export async function createSeedSentimentTask(ctx: SeedTaskContext): Promise<SeedTaskRun> {
  const dataset = ctx.settings.dataset ?? 'sst';
  const file = (split: string) => join(ctx.dataDir, `ids-${dataset}-${split}.csv`);
  const fullTrain = (await loadSentimentData(file('train'))).examples;
  const numLabels = labelSet(fullTrain).length;
  const outOfRange = fullTrain.find((e) => e.label >= numLabels);
  if (outOfRange) {
    throw new Error(
      `${file('train')}: label ${outOfRange.label} (id ${outOfRange.id}) is not below the ${numLabels} distinct labels the original counts; its cross-entropy would fail`,
    );
  }
  const train = seededSubset(fullTrain, ctx.limit, ctx.seed);
  const dev = (await loadSentimentData(file('dev'))).examples;
  const testFile = file('test-student');
  const test = existsSync(testFile) ? (await loadSentimentTestData(testFile)).examples : [];
  const model = ctx.build(numLabels);
  const maxLength = model.gpt.config.maxPositions;
  const sentences = (examples: { sentence: string }[]) => examples.map((e) => e.sentence);
  const {
    train: trainRows,
    dev: devRows,
    test: testRows,
  } = encodeSplits(
    ctx.tokenizer,
    { train: sentences(train), dev: sentences(dev), test: sentences(test) },
    maxLength,
    ctx.log,
    'sentences',
  );
  const pad = ctx.tokenizer.padTokenId;
  const trainLabels = train.map((e) => e.label);
  ctx.log(
    `${dataset}: ${train.length} train, ${dev.length} dev, ${test.length} test sentences, ${numLabels} classes (distinct train labels)`,
  );
  const steps = classificationSteps(
    { forward: (ids, mask) => model.forward(ids, mask) as tf.Tensor2D },
    pad,
    ctx.seed,
    ctx.evalBatchSize,
  );
  const prefix = `${ctx.fineTuneMode}-${dataset}`;

  return {
    name: 'sentiment',
    head: model,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches: (epoch, batchSize) =>
      steps.trainBatches(trainRows, trainLabels, epoch, batchSize),
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
    async evaluate() {
      const predicted = await steps.predict(devRows);
      const gold = dev.map((e) => e.label);
      return { dev_accuracy: accuracy(gold, predicted), dev_macro_f1: macroF1(gold, predicted) };
    },
    async predict(dir, overwrite) {
      const written = [join(dir, `${prefix}-dev-out.csv`)];
      const devPred = await steps.predict(devRows);
      await writeSentimentPredictions(
        written[0],
        dev.map((e, i) => ({ id: e.id, prediction: devPred[i] })),
        { overwrite },
      );
      if (test.length) {
        written.push(join(dir, `${prefix}-test-out.csv`));
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
