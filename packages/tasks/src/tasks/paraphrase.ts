import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { seededSubset, trainDevSplit } from '../data/batching.js';
import {
  loadParaphraseData,
  loadParaphraseTestData,
  type ParaphraseExample,
} from '../data/paraphrase.js';
import { answerIds, ParaphraseDetector, paraphrasePrompt } from '../heads/paraphrase.js';
import { accuracy, macroF1 } from '../metrics/classification.js';
import { writeParaphrasePredictions } from '../train/predictions.js';
import { classificationSteps } from './classification.js';
import { encodeSplits } from './encode.js';
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
  const load = async (name: string) => {
    const path = join(dataDir, name);
    const { examples, skipped } = await loadParaphraseData(path, { onMalformed: 'skip' });
    for (const problem of skipped)
      ctx.log(`${problem.file}:${problem.line}: ${problem.message} (row skipped)`);
    return examples;
  };
  let train: ParaphraseExample[];
  let dev: ParaphraseExample[];
  if (existsSync(join(dataDir, 'quora-train.csv'))) {
    train = await load('quora-train.csv');
    dev = await load('quora-dev.csv');
  } else {
    const split = trainDevSplit(await load('quora-dev.csv'), {
      devFraction: options.devFraction ?? 0.1,
      seed,
    });
    ({ train, dev } = split);
    ctx.log(`quora-dev.csv split ${train.length} train / ${dev.length} dev (seed ${seed})`);
  }
  train = seededSubset(train, ctx.limit, seed);
  const testFile = join(dataDir, 'quora-test-student.csv');
  const test = existsSync(testFile) ? (await loadParaphraseTestData(testFile)).examples : [];

  const answers = answerIds(loaded.tokenizer);
  const head = new ParaphraseDetector(loaded.lm, answers);
  const maxLength = loaded.lm.config.nPositions;
  const prompts = (pairs: { sentence1: string; sentence2: string }[]) =>
    pairs.map((p) => paraphrasePrompt(p.sentence1, p.sentence2));
  const {
    train: trainRows,
    dev: devRows,
    test: testRows,
  } = encodeSplits(
    loaded.tokenizer,
    { train: prompts(train), dev: prompts(dev), test: prompts(test) },
    maxLength,
    ctx.log,
    'prompts',
  );
  const pad = loaded.tokenizer.padTokenId;
  const trainLabels = train.map((e) => e.label);
  ctx.log(`quora: ${train.length} train, ${dev.length} dev, ${test.length} test pairs`);

  const steps = classificationSteps(head, pad, seed, ctx.evalBatchSize);
  // The reference's prediction files hold the answer's token id.
  const asTokenId = (label: number) => (label === 1 ? answers.yes : answers.no);

  return {
    name: 'paraphrase',
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
          test.map((e, i) => ({ id: e.id, prediction: asTokenId(testPred[i]) })),
          { overwrite },
        );
      }
      return written;
    },
  };
}
