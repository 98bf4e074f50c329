import { ProgressBar } from '@lgpt/tasks';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset } from './data.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  label: string;
}

/** `model.fit` (compiled already) with a progress bar over every batch; returns the last epoch's loss. */
export async function fitWithProgress(
  model: tfl.LayersModel,
  data: Dataset,
  options: FitOptions,
): Promise<number> {
  const batches = Math.ceil(data.x.shape[0] / options.batchSize);
  const progress = new ProgressBar({ total: options.epochs * batches, label: options.label });
  const history = await model.fit(data.x, data.y, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onBatchEnd: async (_batch, logs) => progress.update({ loss: logs?.loss }),
    },
  });
  progress.finish();
  const losses = history.history.loss as number[];
  return losses[losses.length - 1];
}
