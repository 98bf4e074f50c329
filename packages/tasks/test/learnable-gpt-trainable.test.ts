import { join } from 'node:path';
import { getDefaultRng, initBackend, openSafetensors } from '@lgpt/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelSet } from '../src/data/sentiment.js';
import { loadSentimentData, SEED_TASK_DEFAULTS, SEED_TASKS, SEED_VARIANTS } from '../src/index.js';
import { applySeedFineTuneMode } from '../src/learnable-gpt/fine-tune.js';
import { seedModelOnBase } from '../src/learnable-gpt/recipe-run.js';
import { SEED_DROPOUTS } from '../src/learnable-gpt/seed-config.js';
import { loadModel } from '../src/models/load-model.js';
import { seedFixturePath, seedGolden } from './support/seed-fixtures.js';
import { seedTrainableCount } from './support/seed-trainable-count.js';

const golden = seedGolden();
const DATA = join(__dirname, '..', '..', '..', 'data', 'cs224n');

describe('learnable-gpt trainable parameters', () => {
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
    const numLabels = labelSet(
      (await loadSentimentData(join(DATA, 'ids-sst-train.csv'))).examples,
    ).length;
    for (const task of SEED_TASKS) {
      for (const variant of SEED_VARIANTS) {
        const base = await loadModel({ model: 'tiny', variant: 'base', seed: 1 });
        const { vocabSize, nPositions, nEmbd, nLayer } = base.lm.config;
        const { model } = seedModelOnBase(task, variant, base, {
          numLabels: task === 'sentiment' ? numLabels : null,
          dropouts: SEED_DROPOUTS,
          rng: getDefaultRng(),
        });
        const mode = SEED_TASK_DEFAULTS[task].fineTuneMode;
        applySeedFineTuneMode(model, mode);
        const expected = seedTrainableCount(task, variant, mode, {
          vocab: vocabSize,
          positions: nPositions,
          width: nEmbd,
          layers: nLayer,
          numLabels,
        });
        expect(model.numParameters({ trainableOnly: true }), `${task} ${variant}`).toBe(expected);
        model.dispose();
      }
    }
  });
});
