import { join } from 'node:path';
import type { GPT2Tokenizer } from '@lgpt/gpt2';
import { batches, epochRng, seededSubset } from '../data/batching.js';
import { readTextFile } from '../data/read-text.js';
import { loadSonnets } from '../data/sonnets.js';
import { sonnetChrf } from '../metrics/sonnet-chrf.js';
import { formatGeneratedSonnets, writeGeneratedSonnets } from '../train/predictions.js';
import { encodeTexts } from './encode.js';
import type { TrainBatch } from './types.js';

type Complete = (prompts: string[]) => Promise<{ id: number; text: string }[]>;

/**
 * The sonnet files both recipes read: `sonnets.txt` (a seeded subset of `limit`) as token rows,
 * the dev prompts `sonnets_held_out_dev.txt` scored with chrF against
 * `TRUE_sonnets_held_out_dev.txt`, and the test prompts `sonnets_held_out.txt`; `evaluate` and
 * `writePredictions` take the recipe's way of completing prompts.
 */
export async function loadSonnetSplits(
  dataDir: string,
  options: { limit?: number; seed: number },
  tokenizer: GPT2Tokenizer,
  maxLength: number,
  log: (line: string) => void,
) {
  const train = seededSubset(
    await loadSonnets(join(dataDir, 'sonnets.txt')),
    options.limit,
    options.seed,
  );
  const devPrompts = await loadSonnets(join(dataDir, 'sonnets_held_out_dev.txt'));
  const goldText = await readTextFile(join(dataDir, 'TRUE_sonnets_held_out_dev.txt'));
  const testPrompts = await loadSonnets(join(dataDir, 'sonnets_held_out.txt'));
  const { rows: trainRows, truncated } = encodeTexts(tokenizer, train, maxLength);
  if (truncated) log(`train: ${truncated} sonnets cut to the model's ${maxLength} tokens`);
  log(
    `sonnets: ${train.length} train, ${devPrompts.length} dev prompts, ${testPrompts.length} test prompts`,
  );
  return {
    trainSize: train.length,
    trainBatches(epoch: number, batchSize: number): TrainBatch[] {
      const rng = epochRng(options.seed, epoch);
      return batches(trainRows, batchSize, { rng }).map((rows) => ({ rows }));
    },
    async evaluate(complete: Complete) {
      const generated = await complete(devPrompts);
      return { dev_chrf: sonnetChrf(formatGeneratedSonnets(generated), goldText).score };
    },
    async writePredictions(complete: Complete, dir: string, overwrite: boolean | undefined) {
      const devPath = join(dir, 'generated_sonnets_dev.txt');
      const testPath = join(dir, 'generated_sonnets.txt');
      await writeGeneratedSonnets(devPath, await complete(devPrompts), { overwrite });
      await writeGeneratedSonnets(testPath, await complete(testPrompts), { overwrite });
      return [devPath, testPath];
    },
  };
}
