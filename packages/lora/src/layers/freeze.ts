import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';

export type Layer = LayersModel['layers'][number];

/**
 * A layer's weight registries (tfjs-layers internals, stable since 1.x). A weight is frozen by moving
 * it to the non-trainable list, as Keras does: clearing its `trainable` flag alone is not enough,
 * because setting `trainable` on a model (which `Sequential` does when it builds its inner model)
 * resets the flag of every weight in the trainable lists.
 */
interface WeightLists {
  _trainableWeights: LayerVariable[];
  _nonTrainableWeights: LayerVariable[];
}

function lists(layer: Layer): WeightLists {
  return layer as unknown as WeightLists;
}

export function freeze(layer: Layer, weight: LayerVariable): void {
  const l = lists(layer);
  l._trainableWeights = l._trainableWeights.filter((w) => w !== weight);
  if (!l._nonTrainableWeights.includes(weight))
    l._nonTrainableWeights = [...l._nonTrainableWeights, weight];
  weight.trainable = false;
}

export function unfreeze(layer: Layer, weight: LayerVariable): void {
  const l = lists(layer);
  l._nonTrainableWeights = l._nonTrainableWeights.filter((w) => w !== weight);
  if (!l._trainableWeights.includes(weight)) l._trainableWeights = [...l._trainableWeights, weight];
  weight.trainable = true;
}

/** Removes weights from both lists (they are being deleted). */
export function forget(layer: Layer, weights: LayerVariable[]): void {
  const l = lists(layer);
  l._trainableWeights = l._trainableWeights.filter((w) => !weights.includes(w));
  l._nonTrainableWeights = l._nonTrainableWeights.filter((w) => !weights.includes(w));
}

/** Freezes every weight of `layers` and returns what puts the lists and flags back as they were. */
export function freezeAll(layers: Layer[]): () => void {
  const snapshots = layers.map((layer) => {
    const l = lists(layer);
    const all = [...l._trainableWeights, ...l._nonTrainableWeights];
    return {
      layer,
      trainable: [...l._trainableWeights],
      nonTrainable: [...l._nonTrainableWeights],
      flags: all.map((w) => w.trainable),
    };
  });
  for (const layer of layers) for (const w of [...lists(layer)._trainableWeights]) freeze(layer, w);
  return () => {
    for (const { layer, trainable, nonTrainable, flags } of snapshots) {
      const l = lists(layer);
      l._trainableWeights = trainable;
      l._nonTrainableWeights = nonTrainable;
      [...trainable, ...nonTrainable].forEach((w, i) => {
        w.trainable = flags[i];
      });
    }
  };
}
