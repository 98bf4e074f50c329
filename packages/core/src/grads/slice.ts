import * as tf from '@tensorflow/tfjs-core';
import { SLICE, type SliceAttrs, SPLIT, type SplitAttrs } from '../kernels/names.js';

/**
 * The slice's gradient pads `dy` back to the input's shape. Only the shape is needed, and `dy`
 * already has the slice's, so nothing is saved: the input is not kept alive for the backward pass
 * (tfjs's own Slice gradient keeps it).
 */
export const sliceGradConfig: tf.GradConfig = {
  kernelName: SLICE,
  inputsToSave: [],
  gradFunc: (dy, _saved, attrs) => {
    const { begin, size, inputShape } = attrs as SliceAttrs;
    const paddings = inputShape.map(
      (d, i) => [begin[i], d - begin[i] - size[i]] as [number, number],
    );
    return { x: () => tf.pad(dy as tf.Tensor, paddings) };
  },
};

/** The split's gradient concatenates the parts' gradients. */
export const splitGradConfig: tf.GradConfig = {
  kernelName: SPLIT,
  gradFunc: (dys, _saved, attrs) => {
    const { axis } = attrs as SplitAttrs;
    return { x: () => tf.concat(dys as tf.Tensor[], axis) };
  },
};
