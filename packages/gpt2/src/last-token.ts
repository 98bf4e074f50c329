import { gatherRows } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { type IntMatrix, toIntTensor } from './inputs.js';

/**
 * Each row's vector at its last real (non-pad) token, `[B, T, C]` → `[B, C]`: the position of the
 * last 1 in `attentionMask`, so right- and left-padded batches both work (a classifier on GPT-2
 * reads this). Without a mask, the last position.
 */
export function gatherLastToken(hidden: tf.Tensor3D, attentionMask?: IntMatrix): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, length, channels] = hidden.shape;
    let last: tf.Tensor1D;
    if (attentionMask) {
      const mask = toIntTensor(attentionMask, 'attentionMask', 0, 2);
      if (mask.shape[0] !== batch || mask.shape[1] !== length) {
        throw new Error(`attentionMask has shape [${mask.shape}], hidden states [${hidden.shape}]`);
      }
      const columns = tf.range(0, length, 1, 'float32');
      last = tf.cast(tf.max(tf.mul(tf.cast(mask, 'float32'), columns), 1), 'int32') as tf.Tensor1D;
    } else {
      last = tf.fill([batch], length - 1, 'int32') as tf.Tensor1D;
    }
    const rows = tf.add(
      tf.mul(tf.range(0, batch, 1, 'int32'), tf.scalar(length, 'int32')),
      last,
    ) as tf.Tensor1D;
    // gatherRows: tf.gather's gradient needs a kernel tfjs-wasm lacks, and classifiers train here.
    return gatherRows(tf.reshape(hidden, [batch * length, channels]), rows) as tf.Tensor2D;
  });
}
