import { createParaphraseTask } from './paraphrase.js';
import { createSentimentTask, type SentimentDataset } from './sentiment.js';
import { createSonnetTask } from './sonnet.js';
import type { TaskContext, TaskName, TaskRun } from './types.js';

/** Task-specific settings a run records (so a checkpoint rebuilds the same task). */
export interface TaskSettings {
  dataset?: SentimentDataset;
  dropoutProb?: number;
  devFraction?: number;
  /**
   * The training batch size, for the `learnable-gpt` recipe's sentiment loss, which divides by it
   * (`CE(sum) / args.batch_size`) rather than by each batch's rows.
   */
  batchSize?: number;
  temperature?: number;
  topP?: number;
  maxNewTokens?: number;
}

export function createTask(
  name: TaskName,
  ctx: TaskContext,
  settings: TaskSettings,
): Promise<TaskRun> {
  switch (name) {
    case 'sentiment':
      return createSentimentTask(ctx, {
        dataset: settings.dataset ?? 'sst',
        dropoutProb: settings.dropoutProb,
      });
    case 'paraphrase':
      return createParaphraseTask(ctx, { devFraction: settings.devFraction });
    case 'sonnet':
      return createSonnetTask(ctx, settings);
  }
}
