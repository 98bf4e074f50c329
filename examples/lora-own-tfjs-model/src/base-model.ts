import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Dataset } from './data.js';
import { fitWithProgress } from './fit.js';

export const BASE_FEATURES = 8;

/**
 * An ordinary tfjs-layers model, as you might already have one: two hidden Dense layers and a
 * Dense head, with seeded initialisers so a seed gives the same model on every backend.
 */
export function buildBaseModel(seed: number): tfl.Sequential {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + k });
  return tfl.sequential({
    name: 'regressor',
    layers: [
      tfl.layers.dense({
        name: 'hidden1',
        units: 64,
        activation: 'relu',
        inputShape: [BASE_FEATURES],
        kernelInitializer: init(1),
      }),
      tfl.layers.dense({
        name: 'hidden2',
        units: 64,
        activation: 'relu',
        kernelInitializer: init(2),
      }),
      tfl.layers.dense({ name: 'head', units: 1, kernelInitializer: init(3) }),
    ],
  });
}

/** Full training of every weight on the original task (what produced "your" model). */
export async function pretrain(
  model: tfl.LayersModel,
  data: Dataset,
  epochs: number,
): Promise<number> {
  model.compile({ optimizer: tf.train.adam(3e-3), loss: 'meanSquaredError' });
  return fitWithProgress(model, data, { epochs, batchSize: 64, label: 'pretrain' });
}
