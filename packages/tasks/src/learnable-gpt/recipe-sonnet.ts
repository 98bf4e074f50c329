import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batches, epochRng, seededSubset } from '../data/batching.js';
import { readTextFile } from '../data/read-text.js';
import { loadSonnets } from '../data/sonnets.js';
import { sonnetChrf } from '../metrics/sonnet-chrf.js';
import { encodeTexts, padRows } from '../tasks/encode.js';
import type { TrainBatch } from '../tasks/types.js';
import { formatGeneratedSonnets, writeGeneratedSonnets } from '../train/predictions.js';
import type { SeedTaskContext, SeedTaskRun } from './recipe-context.js';
import { SEED_SONNET_SAMPLING } from './recipe-defaults.js';
import type { SeedSonnetGPT } from './sonnet-gpt.js';
import { sampleSeedSonnet } from './sonnet-sampling.js';

/**
 * `sonnet_generation.py`: language-model training on `sonnets.txt` (labels `input_ids[:, 1:]`,
 * pads included), sonnets completed from their first 3 lines with the original's sampling. The
 * original has no dev evaluation; lgpt scores the `sonnets_held_out_dev.txt` completions with
 * chrF against `TRUE_sonnets_held_out_dev.txt` for the record, and the run keeps the last epoch.
 */
export async function createSeedSonnetTask(ctx: SeedTaskContext): Promise<SeedTaskRun> {
  const train = seededSubset(
    await loadSonnets(join(ctx.dataDir, 'sonnets.txt')),
    ctx.limit,
    ctx.seed,
  );
  const devPrompts = await loadSonnets(join(ctx.dataDir, 'sonnets_held_out_dev.txt'));
  const goldText = await readTextFile(join(ctx.dataDir, 'TRUE_sonnets_held_out_dev.txt'));
  const testPrompts = await loadSonnets(join(ctx.dataDir, 'sonnets_held_out.txt'));
  const model = ctx.build(null) as SeedSonnetGPT;
  const maxLength = model.gpt.config.maxPositions;
  const { rows: trainRows, truncated } = encodeTexts(ctx.tokenizer, train, maxLength);
  if (truncated) ctx.log(`train: ${truncated} sonnets cut to the model's ${maxLength} tokens`);
  const pad = ctx.tokenizer.padTokenId;
  ctx.log(
    `sonnets: ${train.length} train, ${devPrompts.length} dev prompts, ${testPrompts.length} test prompts`,
  );
  const sampling = {
    temperature: ctx.settings.temperature ?? SEED_SONNET_SAMPLING.temperature,
    topP: ctx.settings.topP ?? SEED_SONNET_SAMPLING.topP,
    maxNewTokens: ctx.settings.maxNewTokens ?? SEED_SONNET_SAMPLING.maxNewTokens,
    eosTokenId: ctx.tokenizer.eosTokenId,
    rng: ctx.rng,
  };
  const complete = async (prompts: string[]) => {
    const out = [];
    for (const [id, prompt] of prompts.entries()) {
      const ids = await sampleSeedSonnet(model.gpt, ctx.tokenizer.encode(prompt), sampling);
      out.push({ id, text: ctx.tokenizer.decode(ids) });
    }
    return out;
  };

  return {
    name: 'sonnet',
    head: model,
    primaryMetric: 'dev_chrf',
    trainSize: train.length,
    trainBatches(epoch, batchSize): TrainBatch[] {
      return batches(trainRows, batchSize, { rng: epochRng(ctx.seed, epoch) }).map((rows) => ({
        rows,
      }));
    },
    loss(batch) {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, pad);
        const [rows, length] = inputIds.shape;
        const labels = tf.slice(inputIds, [0, 1], [rows, length - 1]);
        return model.loss(inputIds, attentionMask, labels);
      });
    },
    async evaluate() {
      const generated = await complete(devPrompts);
      return { dev_chrf: sonnetChrf(formatGeneratedSonnets(generated), goldText).score };
    },
    async predict(dir, overwrite) {
      const devPath = join(dir, 'generated_sonnets_dev.txt');
      const testPath = join(dir, 'generated_sonnets.txt');
      await writeGeneratedSonnets(devPath, await complete(devPrompts), { overwrite });
      await writeGeneratedSonnets(testPath, await complete(testPrompts), { overwrite });
      return [devPath, testPath];
    },
  };
}
