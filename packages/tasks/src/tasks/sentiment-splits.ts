import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GPT2Tokenizer } from '@lgpt/gpt2';
import { seededSubset } from '../data/batching.js';
import {
  loadSentimentData,
  loadSentimentTestData,
  type SentimentExample,
  type UnlabelledSentimentExample,
} from '../data/sentiment.js';
import { devClassificationScores } from '../metrics/classification.js';
import { writeSentimentPredictions } from '../train/predictions.js';
import { encodeSplits } from './encode.js';

/**
 * The sentiment files both recipes read, `ids-<dataset>-{train,dev,test-student}.csv`: the whole
 * train file, its seeded subset of `limit` examples, dev, and the test split when it is there.
 */
export async function loadSentimentSplits(
  dataDir: string,
  dataset: string,
  limit: number | undefined,
  seed: number,
) {
  const file = (split: string) => join(dataDir, `ids-${dataset}-${split}.csv`);
  const fullTrain = (await loadSentimentData(file('train'))).examples;
  const dev = (await loadSentimentData(file('dev'))).examples;
  const testFile = file('test-student');
  const test = existsSync(testFile) ? (await loadSentimentTestData(testFile)).examples : [];
  return {
    trainFile: file('train'),
    fullTrain,
    train: seededSubset(fullTrain, limit, seed),
    dev,
    test,
  };
}

/**
 * The splits as token rows, with the dev metrics and the prediction files both recipes write
 * (`<prefix>-dev-out.csv`, and `<prefix>-test-out.csv` when there is a test split), from a
 * `predict` that maps token rows to class ids.
 */
export function sentimentSplitRuns(
  splits: {
    train: SentimentExample[];
    dev: SentimentExample[];
    test: UnlabelledSentimentExample[];
  },
  tokenizer: GPT2Tokenizer,
  maxLength: number,
  log: (line: string) => void,
) {
  const sentences = (examples: { sentence: string }[]) => examples.map((e) => e.sentence);
  const { dev, test } = splits;
  const rows = encodeSplits(
    tokenizer,
    { train: sentences(splits.train), dev: sentences(dev), test: sentences(test) },
    maxLength,
    log,
    'sentences',
  );
  return {
    rows,
    trainLabels: splits.train.map((e) => e.label),
    async evaluate(predict: (rows: number[][]) => Promise<number[]>) {
      return devClassificationScores(
        dev.map((e) => e.label),
        await predict(rows.dev),
      );
    },
    async writePredictions(
      predict: (rows: number[][]) => Promise<number[]>,
      dir: string,
      prefix: string,
      overwrite: boolean | undefined,
    ): Promise<string[]> {
      const written: string[] = [];
      const parts: { name: string; examples: { id: string }[]; rows: number[][] }[] = [
        { name: 'dev', examples: dev, rows: rows.dev },
      ];
      if (test.length) parts.push({ name: 'test', examples: test, rows: rows.test });
      for (const part of parts) {
        const file = join(dir, `${prefix}-${part.name}-out.csv`);
        const predicted = await predict(part.rows);
        const lines = part.examples.map((e, i) => ({ id: e.id, prediction: predicted[i] }));
        await writeSentimentPredictions(file, lines, { overwrite });
        written.push(file);
      }
      return written;
    },
  };
}
