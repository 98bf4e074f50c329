import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { seededSubset, trainDevSplit } from '../data/batching.js';
import {
  loadParaphraseData,
  loadParaphraseTestData,
  type ParaphraseExample,
} from '../data/paraphrase.js';
import { paraphrasePrompt } from '../heads/paraphrase.js';
import { accuracy, macroF1 } from '../metrics/classification.js';
import { classificationSteps } from '../tasks/classification.js';
import { encodeSplits, padRows } from '../tasks/encode.js';
import { writeParaphrasePredictions } from '../train/predictions.js';
import { NO_TOKEN_ID, YES_TOKEN_ID } from './paraphrase-gpt.js';
import type { SeedTaskContext, SeedTaskRun } from './recipe-context.js';

/** The prompt of `ParaphraseDetectionTestDataset` (`datasets.py:81`), unlike train and dev's. */
export function seedParaphraseTestPrompt(sentence1: string, sentence2: string): string {
  return `Is "${sentence1}" a paraphrase of "${sentence2}"? Answer "yes" or "no": `;
}

/**
 * `paraphrase_detection.py`: trains on `quora-train.csv` (or, when the folder has none, as with the
 * bundled data, a seeded split of `quora-dev.csv`, and says so), labels as GPT-2's "yes"/"no" token
 * ids; dev predictions are written as 8505/3919 and test ones as 0/1, as the original does.
 */
export async function createSeedParaphraseTask(ctx: SeedTaskContext): Promise<SeedTaskRun> {
  const load = async (name: string) => {
    const { examples, skipped } = await loadParaphraseData(join(ctx.dataDir, name), {
      onMalformed: 'skip',
    });
    for (const problem of skipped)
      ctx.log(`${problem.file}:${problem.line}: ${problem.message} (row skipped)`);
    return examples;
  };
  let train: ParaphraseExample[];
  let dev: ParaphraseExample[];
  if (existsSync(join(ctx.dataDir, 'quora-train.csv'))) {
    train = await load('quora-train.csv');
    dev = await load('quora-dev.csv');
  } else {
    ({ train, dev } = trainDevSplit(await load('quora-dev.csv'), {
      devFraction: ctx.settings.devFraction ?? 0.1,
      seed: ctx.seed,
    }));
    ctx.log(
      `no quora-train.csv (the original trains on it): quora-dev.csv split ${train.length} train / ${dev.length} dev (seed ${ctx.seed})`,
    );
  }
  train = seededSubset(train, ctx.limit, ctx.seed);
  const testFile = join(ctx.dataDir, 'quora-test-student.csv');
  const test = existsSync(testFile) ? (await loadParaphraseTestData(testFile)).examples : [];
  const model = ctx.build(null);
  const maxLength = model.gpt.config.maxPositions;
  const {
    train: trainRows,
    dev: devRows,
    test: testRows,
  } = encodeSplits(
    ctx.tokenizer,
    {
      train: train.map((e) => paraphrasePrompt(e.sentence1, e.sentence2)),
      dev: dev.map((e) => paraphrasePrompt(e.sentence1, e.sentence2)),
      // The original's test split has a prompt of its own (datasets.py).
      test: test.map((e) => seedParaphraseTestPrompt(e.sentence1, e.sentence2)),
    },
    maxLength,
    ctx.log,
    'prompts',
  );
  const pad = ctx.tokenizer.padTokenId;
  const trainLabels = train.map((e) => e.label);
  ctx.log(`quora: ${train.length} train, ${dev.length} dev, ${test.length} test pairs`);
  const steps = classificationSteps(
    { forward: (ids, mask) => model.forward(ids, mask) as tf.Tensor2D },
    pad,
    ctx.seed,
    ctx.evalBatchSize,
  );
  const asTokenId = (label: number) => (label === 1 ? YES_TOKEN_ID : NO_TOKEN_ID);

  return {
    name: 'paraphrase',
    head: model,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches: (epoch, batchSize) =>
      steps.trainBatches(trainRows, trainLabels, epoch, batchSize),
    loss(batch) {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, pad);
        const labels = tf.tensor2d(
          batch.labels!.map((l) => [asTokenId(l)]),
          undefined,
          'int32',
        );
        return model.loss(inputIds, attentionMask, labels, batch.rows.length);
      });
    },
    async evaluate() {
      const predicted = await steps.predict(devRows);
      const gold = dev.map((e) => e.label);
      return { dev_accuracy: accuracy(gold, predicted), dev_macro_f1: macroF1(gold, predicted) };
    },
    async predict(dir, overwrite) {
      const written = [join(dir, 'para-dev-output.csv')];
      const devPred = await steps.predict(devRows);
      await writeParaphrasePredictions(
        written[0],
        dev.map((e, i) => ({ id: e.id, prediction: asTokenId(devPred[i]) })),
        { overwrite },
      );
      if (test.length) {
        written.push(join(dir, 'para-test-output.csv'));
        const testPred = await steps.predict(testRows);
        await writeParaphrasePredictions(
          written[1],
          test.map((e, i) => ({ id: e.id, prediction: testPred[i] })),
          { overwrite },
        );
      }
      return written;
    },
  };
}
