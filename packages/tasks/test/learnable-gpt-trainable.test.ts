import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getDefaultRng, initBackend, openSafetensors } from '@lgpt/core';
import type { GPT2Config } from '@lgpt/gpt2';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelSet } from '../src/data/sentiment.js';
import { loadSentimentData, SEED_TASK_DEFAULTS, SEED_TASKS, SEED_VARIANTS } from '../src/index.js';
import { applySeedFineTuneMode } from '../src/learnable-gpt/fine-tune.js';
import { seedModelOnBase } from '../src/learnable-gpt/recipe-run.js';
import { SEED_DROPOUTS, type SeedTask } from '../src/learnable-gpt/seed-config.js';
import { loadModel } from '../src/models/load-model.js';
import { seedFixturePath, seedGolden } from './support/seed-fixtures.js';
import { seedTrainableCount } from './support/seed-trainable-count.js';

const golden = seedGolden();
const DATA = join(__dirname, '..', '..', '..', 'data', 'cs224n');
const SEED_DIR = findSeedDir();
const TORCH_PYTHON = findTorchPython();

describe('learnable-gpt trainable parameters', () => {
  // Built once, for the two tests that read it.
  let tinyCounts: ReturnType<typeof countTinyRecipes> | undefined;
  const tinyRecipeCounts = () => (tinyCounts ??= countTinyRecipes());
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it("the count from the original's source agrees with every seed fixture", async () => {
    const { checkpoint } = golden;
    for (const [name, fixture] of Object.entries(golden.fixtures)) {
      // The original counts its classes from the train file; its init shows how many it found.
      const init = await openSafetensors(seedFixturePath(fixture.files.init));
      const numLabels = init.has('classifier.weight') ? init.info('classifier.weight').shape[0] : 0;
      await init.close();
      const mode =
        fixture.fine_tune_mode === 'full-model'
          ? 'full-model'
          : SEED_TASK_DEFAULTS[fixture.task].fineTuneMode;
      const count = seedTrainableCount(fixture.task, fixture.model, mode, {
        vocab: checkpoint.vocab_size,
        positions: checkpoint.n_positions,
        width: checkpoint.n_embd,
        layers: checkpoint.n_layer,
        numLabels,
      });
      expect(count, name).toBe(fixture.trainable.numel);
    }
  });

  it('lgpt train --recipe learnable-gpt --model tiny trains what the original builds at that size', async () => {
    const { sizes, counts } = await tinyRecipeCounts();
    for (const [name, count] of Object.entries(counts)) {
      const [task, variant] = name.split('.') as [string, string];
      const mode = SEED_TASK_DEFAULTS[task as SeedTask].fineTuneMode;
      expect(count, name).toBe(seedTrainableCount(task, variant, mode, sizes));
    }
  });

  // The original's own constructors, run by torch at the tiny size (the seed code is outside the
  // repository: ../shared/seed/learnable-gpt, or LGPT_SEED_DIR).
  it.runIf(SEED_DIR && TORCH_PYTHON)(
    "the original code, run at the tiny size, trains the same counts as lgpt's recipe",
    async () => {
      const { sizes, heads, counts } = await tinyRecipeCounts();
      const argv = JSON.stringify({
        vocab: sizes.vocab,
        positions: sizes.positions,
        width: sizes.width,
        layers: sizes.layers,
        heads,
        num_labels: sizes.numLabels,
      });
      const script = join(__dirname, 'support', 'seed_trainable_count.py');
      const run = spawnSync(TORCH_PYTHON as string, [script, SEED_DIR as string, argv], {
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(counts);
    },
  );
});

/** lgpt's recipe built on `--model tiny` for every task and variant: trainable scalars each. */
async function countTinyRecipes() {
  const numLabels = labelSet(
    (await loadSentimentData(join(DATA, 'ids-sst-train.csv'))).examples,
  ).length;
  const counts: Record<string, number> = {};
  let config = null as null | GPT2Config;
  for (const task of SEED_TASKS) {
    for (const variant of SEED_VARIANTS) {
      const base = await loadModel({ model: 'tiny', variant: 'base', seed: 1 });
      config = base.lm.config;
      const { model } = seedModelOnBase(task, variant, base, {
        numLabels: task === 'sentiment' ? numLabels : null,
        dropouts: SEED_DROPOUTS,
        rng: getDefaultRng(),
      });
      applySeedFineTuneMode(model, SEED_TASK_DEFAULTS[task].fineTuneMode);
      counts[`${task}.${variant}`] = model.numParameters({ trainableOnly: true });
      model.dispose();
    }
  }
  const { vocabSize, nPositions, nEmbd, nLayer, nHead } = config as GPT2Config;
  const sizes = {
    vocab: vocabSize,
    positions: nPositions,
    width: nEmbd,
    layers: nLayer,
    numLabels,
  };
  return { sizes, heads: nHead, counts };
}

function findSeedDir(): string | null {
  const dir =
    process.env.LGPT_SEED_DIR ??
    join(__dirname, '..', '..', '..', '..', 'shared', 'seed', 'learnable-gpt');
  return existsSync(join(dir, 'classifier.py')) ? dir : null;
}

/** A Python that imports torch: LGPT_BENCH_PYTHON, Debian's python3-torch, or the PATH's. */
function findTorchPython(): string | null {
  const candidates = [process.env.LGPT_BENCH_PYTHON, '/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    if (python && spawnSync(python, ['-c', 'import torch']).status === 0) return python;
  }
  return null;
}
