import * as tf from '@tensorflow/tfjs-core';
import { paraphrasePrompt } from '../heads/paraphrase.js';
import { classificationSteps } from '../tasks/classification.js';
import { padRows } from '../tasks/encode.js';
import { loadParaphraseSplits, paraphraseSplitRuns } from '../tasks/paraphrase-splits.js';
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
  const { train, dev, test } = await loadParaphraseSplits(
    ctx.dataDir,
    {
      devFraction: ctx.settings.devFraction,
      limit: ctx.limit,
      seed: ctx.seed,
      splitNote: 'no quora-train.csv (the original trains on it): ',
    },
    ctx.log,
  );
  const model = ctx.build(null);
  const splits = paraphraseSplitRuns(
    { train, dev, test },
    // The original's test split has a prompt of its own (datasets.py).
    { prompt: paraphrasePrompt, testPrompt: seedParaphraseTestPrompt },
    ctx.tokenizer,
    model.gpt.config.maxPositions,
    ctx.log,
  );
  const pad = ctx.tokenizer.padTokenId;
  const steps = classificationSteps(
    { forward: (ids, mask) => model.forward(ids, mask) as tf.Tensor2D },
    pad,
    ctx.seed,
    ctx.evalBatchSize,
  );
  const predict = (rows: number[][]) => steps.predict(rows);
  const asTokenId = (label: number) => (label === 1 ? YES_TOKEN_ID : NO_TOKEN_ID);

  return {
    name: 'paraphrase',
    head: model,
    primaryMetric: 'dev_accuracy',
    trainSize: train.length,
    trainBatches: (epoch, batchSize) =>
      steps.trainBatches(splits.rows.train, splits.trainLabels, epoch, batchSize),
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
    evaluate: () => splits.evaluate(predict),
    // Dev answers as token ids, test ones as 0/1, as the original writes them.
    predict: (dir, overwrite) =>
      splits.writePredictions(predict, { dev: asTokenId, test: (label) => label }, dir, overwrite),
  };
}
