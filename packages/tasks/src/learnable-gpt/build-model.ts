import type { Rng } from '@lgpt/core';
import { SeedParaphraseGPT } from './paraphrase-gpt.js';
import type { SeedModelConfig, SeedTask } from './seed-config.js';
import { SeedSentimentClassifier } from './sentiment-classifier.js';
import { SeedSonnetGPT } from './sonnet-gpt.js';
import type { SeedTaskModel } from './task-model.js';

/** The seed script's model class for a task (`numLabels` only for sentiment). */
export function buildSeedTaskModel(
  task: SeedTask,
  config: SeedModelConfig,
  numLabels: number | null,
  rng?: Rng,
): SeedTaskModel {
  if (task === 'sentiment') {
    if (numLabels === null || !(numLabels >= 1)) {
      throw new Error(
        'the sentiment model needs the number of labels (counted from the train file)',
      );
    }
    return new SeedSentimentClassifier(config, numLabels, rng);
  }
  return task === 'paraphrase'
    ? new SeedParaphraseGPT(config, rng)
    : new SeedSonnetGPT(config, rng);
}
