import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GPT2Tokenizer } from '@lgpt/gpt2';
import { seededSubset, trainDevSplit } from '../data/batching.js';
import {
  loadParaphraseData,
  loadParaphraseTestData,
  type ParaphraseExample,
  type UnlabelledParaphraseExample,
} from '../data/paraphrase.js';
import { devClassificationScores } from '../metrics/classification.js';
import { writeParaphrasePredictions } from '../train/predictions.js';
import { encodeSplits } from './encode.js';

type Prompt = (sentence1: string, sentence2: string) => string;

/**
 * The Quora files both recipes read: `quora-train.csv` and `quora-dev.csv` when both exist, else
 * (as bundled) a seeded split of `quora-dev.csv`, said in the log with `splitNote`; the train part
 * cut to a seeded subset of `limit`; `quora-test-student.csv` when it is there. Rows without a
 * label (two in the bundled file) are left out and reported.
 */
export async function loadParaphraseSplits(
  dataDir: string,
  options: { devFraction?: number; limit?: number; seed: number; splitNote?: string },
  log: (line: string) => void,
) {
  const load = async (name: string) => {
    const { examples, skipped } = await loadParaphraseData(join(dataDir, name), {
      onMalformed: 'skip',
    });
    for (const problem of skipped)
      log(`${problem.file}:${problem.line}: ${problem.message} (row skipped)`);
    return examples;
  };
  let train: ParaphraseExample[];
  let dev: ParaphraseExample[];
  if (existsSync(join(dataDir, 'quora-train.csv'))) {
    train = await load('quora-train.csv');
    dev = await load('quora-dev.csv');
  } else {
    const { seed } = options;
    ({ train, dev } = trainDevSplit(await load('quora-dev.csv'), {
      devFraction: options.devFraction ?? 0.1,
      seed,
    }));
    log(
      `${options.splitNote ?? ''}quora-dev.csv split ${train.length} train / ${dev.length} dev (seed ${seed})`,
    );
  }
  train = seededSubset(train, options.limit, options.seed);
  const testFile = join(dataDir, 'quora-test-student.csv');
  const test = existsSync(testFile) ? (await loadParaphraseTestData(testFile)).examples : [];
  log(`quora: ${train.length} train, ${dev.length} dev, ${test.length} test pairs`);
  return { train, dev, test };
}

/**
 * The splits as prompt token rows (`prompt` for train and dev, `testPrompt` for test), with the
 * dev metrics and the prediction files both recipes write, `para-{dev,test}-output.csv`, from a
 * `predict` that maps token rows to 0/1 and the recipe's way of writing each split's answers.
 */
export function paraphraseSplitRuns(
  splits: {
    train: ParaphraseExample[];
    dev: ParaphraseExample[];
    test: UnlabelledParaphraseExample[];
  },
  prompts: { prompt: Prompt; testPrompt: Prompt },
  tokenizer: GPT2Tokenizer,
  maxLength: number,
  log: (line: string) => void,
) {
  const { train, dev, test } = splits;
  const promptsOf = (pairs: { sentence1: string; sentence2: string }[], prompt: Prompt) =>
    pairs.map((p) => prompt(p.sentence1, p.sentence2));
  const rows = encodeSplits(
    tokenizer,
    {
      train: promptsOf(train, prompts.prompt),
      dev: promptsOf(dev, prompts.prompt),
      test: promptsOf(test, prompts.testPrompt),
    },
    maxLength,
    log,
    'prompts',
  );
  return {
    rows,
    trainLabels: train.map((e) => e.label),
    async evaluate(predict: (rows: number[][]) => Promise<number[]>) {
      return devClassificationScores(
        dev.map((e) => e.label),
        await predict(rows.dev),
      );
    },
    async writePredictions(
      predict: (rows: number[][]) => Promise<number[]>,
      written: { dev: (label: number) => number; test: (label: number) => number },
      dir: string,
      overwrite: boolean | undefined,
    ): Promise<string[]> {
      const files: string[] = [];
      const parts: { name: 'dev' | 'test'; examples: { id: string }[] }[] = [
        { name: 'dev', examples: dev },
      ];
      if (test.length) parts.push({ name: 'test', examples: test });
      for (const { name, examples } of parts) {
        const file = join(dir, `para-${name}-output.csv`);
        const predicted = await predict(rows[name]);
        const lines = examples.map((e, i) => ({
          id: e.id,
          prediction: written[name](predicted[i]),
        }));
        await writeParaphrasePredictions(file, lines, { overwrite });
        files.push(file);
      }
      return files;
    },
  };
}
