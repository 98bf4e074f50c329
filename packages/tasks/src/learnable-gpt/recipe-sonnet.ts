import * as tf from '@tensorflow/tfjs-core';
import { padRows } from '../tasks/encode.js';
import { loadSonnetSplits } from '../tasks/sonnet-splits.js';
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
  const model = ctx.build(null) as SeedSonnetGPT;
  const splits = await loadSonnetSplits(
    ctx.dataDir,
    { limit: ctx.limit, seed: ctx.seed },
    ctx.tokenizer,
    model.gpt.config.maxPositions,
    ctx.log,
  );
  const pad = ctx.tokenizer.padTokenId;
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
    trainSize: splits.trainSize,
    trainBatches: (epoch, batchSize) => splits.trainBatches(epoch, batchSize),
    loss(batch) {
      return tf.tidy(() => {
        const { inputIds, attentionMask } = padRows(batch.rows, pad);
        const [rows, length] = inputIds.shape;
        const labels = tf.slice(inputIds, [0, 1], [rows, length - 1]);
        return model.loss(inputIds, attentionMask, labels);
      });
    },
    evaluate: () => splits.evaluate(complete),
    predict: (dir, overwrite) => splits.writePredictions(complete, dir, overwrite),
  };
}
