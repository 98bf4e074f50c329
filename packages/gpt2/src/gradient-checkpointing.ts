import { customGrad, recordDropoutMasks, replayDropoutMasks } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { BlockContext, GPT2Block } from './block.js';

/**
 * One block under gradient checkpointing (Hugging Face's `gradient_checkpointing_enable()`): the
 * forward pass runs as one op that keeps only the block's input, its attention bias and mask, and
 * the dropout masks it drew (1 byte per element, outside tfjs memory); the backward pass runs the
 * block again under autodiff, with the same masks, and takes from it the gradients of the input
 * and of the block's trainable parameters (the op's other inputs, so autodiff hands them on).
 * Memory then holds one block's activations at a time instead of every block's, for a second
 * forward pass of each block.
 */
export function checkpointedBlock(
  block: GPT2Block,
  hidden: tf.Tensor3D,
  context: BlockContext,
): tf.Tensor3D {
  const weights = block.parameters().filter((p) => p.trainable);
  const contextTensors = [context.attentionBias, context.attentionMask].filter(
    (t): t is tf.Tensor4D | tf.Tensor2D => t !== null,
  );
  let masks: Uint8Array[] = [];
  return customGrad(([input], save) => {
    // The context outlives the model's forward pass only if the op saves it.
    save([input, ...contextTensors]);
    const forward = recordDropoutMasks(() => block.forward(input as tf.Tensor3D, context).hidden);
    masks = forward.masks;
    return {
      value: forward.result,
      gradFunc: (dy, [savedInput, attentionBias, attentionMask]) => {
        const saved: BlockContext = {
          attentionBias: attentionBias as tf.Tensor4D,
          attentionMask: (attentionMask as tf.Tensor2D | undefined) ?? null,
          // Only the gradients are taken from the recomputation.
          outputUnused: true,
        };
        const { grads } = recomputeWithGradients(
          () =>
            replayDropoutMasks(masks, () => block.forward(savedInput as tf.Tensor3D, saved).hidden),
          [savedInput, ...weights],
          dy,
        );
        return grads.map((g, i) => g ?? tf.zerosLike(i === 0 ? savedInput : weights[i - 1]));
      },
    };
  })(hidden, ...weights) as tf.Tensor3D;
}

/**
 * `tf.engine().gradients` from inside a backward pass. tfjs keeps one active tape: a nested
 * `gradients` starts its own and sets it to null when done, where the outer pass still reads it
 * (to free what its nodes saved), so the outer tape is put back.
 */
function recomputeWithGradients(
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy: tf.Tensor,
): { grads: (tf.Tensor | undefined)[] } {
  const state = tf.engine().state as unknown as { activeTape: unknown };
  const outerTape = state.activeTape;
  try {
    return tf.engine().gradients(f, xs, dy, true);
  } finally {
    state.activeTape = outerTape;
  }
}
