import { getDefaultRng, Rng } from '@lgpt/core';
import type { SeedGPT2Model } from '../../learnable-gpt/gpt2-model.js';
import { SEED_SONNET_SAMPLING } from '../../learnable-gpt/recipe-defaults.js';
import { seedModelOnBase } from '../../learnable-gpt/recipe-run.js';
import { SEED_DROPOUTS, seedVariant } from '../../learnable-gpt/seed-config.js';
import { sampleSeedSonnet } from '../../learnable-gpt/sonnet-sampling.js';
import type { SeedTaskModel } from '../../learnable-gpt/task-model.js';
import { loadModel } from '../../models/load-model.js';
import { openRun } from '../../train/run.js';
import type { RunConfig } from '../../train/run-config.js';
import * as opt from '../options.js';

/**
 * `lgpt generate` for the learnable-gpt recipe: the original's `SonnetGPT.generate` sampling on
 * the seed model's tied LM logits, from a recipe checkpoint (any task: its GPT-2 body; opening it
 * reads the run's data like `eval`) or from `--model` (a fresh sonnet model of `--variant`).
 */
export async function generateLearnableGpt(
  flags: opt.ParsedFlags,
  prompt: string,
  seed: number,
  checkpoint: { dir: string; config: RunConfig } | null,
): Promise<void> {
  let gpt: SeedGPT2Model;
  let dispose: () => void;
  let tokenizer: Awaited<ReturnType<typeof loadModel>>['tokenizer'];
  if (checkpoint) {
    const run = await openRun(checkpoint.config, { checkpoint: checkpoint.dir });
    gpt = (run.head as SeedTaskModel).gpt;
    tokenizer = run.loaded.tokenizer;
    dispose = () => run.head.dispose();
  } else {
    const variant = seedVariant((flags.variant as string) ?? 'base');
    const base = await loadModel({
      model: (flags.model as string) ?? 'tiny',
      variant: 'base',
      seed,
      randomInit: flags['random-init'] === true,
    });
    tokenizer = base.tokenizer;
    const { model } = seedModelOnBase('sonnet', variant, base, {
      numLabels: null,
      dropouts: SEED_DROPOUTS,
      rng: getDefaultRng(),
    });
    gpt = model.gpt;
    dispose = () => model.dispose();
  }
  gpt.eval();
  const promptIds = tokenizer.encode(prompt);
  const ids = await sampleSeedSonnet(gpt, promptIds, {
    temperature: opt.numberFlag('temperature', flags.temperature, SEED_SONNET_SAMPLING.temperature),
    topP: opt.numberFlag('top-p', flags['top-p'], SEED_SONNET_SAMPLING.topP),
    maxNewTokens: opt.numberFlag(
      'max-new-tokens',
      flags['max-new-tokens'],
      SEED_SONNET_SAMPLING.maxNewTokens,
    ),
    eosTokenId: tokenizer.eosTokenId,
    rng: new Rng(seed),
    greedy: flags.greedy === true,
  });
  process.stdout.write(`${prompt}${tokenizer.decode(ids.slice(promptIds.length))}\n`);
  dispose();
}
