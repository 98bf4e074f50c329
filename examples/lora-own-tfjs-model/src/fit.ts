import type * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset } from './data.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  label: string;
}

/** `model.fit` (compiled already), one loss line per epoch on stderr; returns the last epoch's loss. */
export async function fitWithProgress(
  model: tfl.LayersModel,
  data: Dataset,
  options: FitOptions,
): Promise<number> {
  const history = await model.fit(data.x, data.y, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        process.stderr.write(
          `${options.label} epoch ${epoch + 1}/${options.epochs} loss ${logs?.loss?.toPrecision(4)}\n`,
        );
      },
    },
  });
  const losses = history.history.loss as number[];
  return losses[losses.length - 1];
}
