import { linearProducts, slice } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

export interface CrossEntropyChunkArgs {
  /** `[rows, C]` */
  hidden: tf.Tensor2D;
  /** `[rows]` int32 labels, each in `[0, vocab)`. */
  target: tf.Tensor1D;
  /** `[rows]` 1 for rows that count, 0 for ignored ones. */
  keep: tf.Tensor1D;
  /** `[vocab, C]`: logits = hidden·weightᵀ. */
  weight: tf.Tensor2D;
  /** Vocabulary entries per block. */
  vocabBlock: number;
  /** Also return the gradient of `lossSum` w.r.t. `hidden` (and `weight`). */
  hiddenGrad: boolean;
  weightGrad: boolean;
}

export interface CrossEntropyChunk {
  /** Σ over kept rows of `logsumexp(logits) − logits[label]`. */
  lossSum: tf.Scalar;
  dHidden?: tf.Tensor2D;
  dWeight?: tf.Tensor2D;
}

/**
 * One chunk of rows of the cross-entropy, the vocabulary taken in blocks of `vocabBlock` head rows.
 * A block keeps its logits small and its matMul cache-sized (tfjs-wasm's XNNPACK runs a
 * `[768, 50257]` operand at half speed); its products are a linear layer's (`linearProducts`, so
 * lgpt's GEMM where it runs), and it is normalised by the backend's softmax kernel
 * (vectorised on wasm, where `exp` is not). The blocks are then combined exactly: with `m_c` a
 * block's row maximum and `s_c = Σ exp(logits_c − m_c) = 1 / max(softmax_c)`,
 * `logsumexp = m + log Σ_c s_c·exp(m_c − m)`, and the full softmax of block c is
 * `softmax_c · s_c·exp(m_c − m) / Σ_c′ …`. The label's logit is a row dot product with its head row.
 * With `hiddenGrad`, `dlogits = (softmax − onehot)·keep` is formed block by block and multiplied
 * straight back: `dHidden = Σ_c dlogits_c · weight_c`, `dWeight_c = dlogits_cᵀ · hidden`.
 */
export function crossEntropyChunk(args: CrossEntropyChunkArgs): CrossEntropyChunk {
  const { hidden, target, keep, weight, vocabBlock, hiddenGrad, weightGrad } = args;
  const channels = hidden.shape[1];
  const blocks = vocabBlocks(weight.shape[0], vocabBlock);
  const headRows = ([start, size]: [number, number]) =>
    (size === weight.shape[0]
      ? weight
      : slice(weight, [start, 0], [size, channels])) as tf.Tensor2D;
  const probs: tf.Tensor2D[] = [];
  const maxes: tf.Tensor1D[] = [];
  const sums: tf.Tensor1D[] = [];
  for (const block of blocks) {
    const [p, m, s] = tf.tidy(() => {
      const logits = linearProducts.forward(hidden, headRows(block), false);
      const softmax = tf.softmax(logits);
      return [softmax, tf.max(logits, 1), tf.reciprocal(tf.max(softmax, 1))];
    });
    probs.push(p as tf.Tensor2D);
    maxes.push(m as tf.Tensor1D);
    sums.push(s as tf.Tensor1D);
  }
  const blockMax = tf.stack(maxes); // [blocks, rows]
  const rowMax = tf.max(blockMax, 0);
  const weights = tf.mul(tf.stack(sums), tf.exp(tf.sub(blockMax, rowMax)));
  const total = tf.sum(weights, 0);
  const logSumExp = tf.add(rowMax, tf.log(total));
  const picked = tf.sum(tf.mul(hidden, tf.gather(weight, target)), 1);
  const lossSum = tf.sum(tf.mul(tf.sub(logSumExp, picked), keep)) as tf.Scalar;
  if (!hiddenGrad) {
    tf.dispose(probs);
    return { lossSum };
  }
  // Each block's share of the full softmax, per row, times the row's keep flag.
  const factors = tf.unstack(tf.mul(tf.div(weights, total), keep));
  let dHidden: tf.Tensor | null = null;
  const weightParts: tf.Tensor[] = [];
  blocks.forEach((block, c) => {
    const dLogits = tf.tidy(() =>
      tf.sub(
        tf.mul(probs[c], tf.expandDims(factors[c], 1)),
        tf.mul(
          tf.oneHot(tf.sub(target, tf.scalar(block[0], 'int32')), block[1]),
          tf.expandDims(keep, 1),
        ),
      ),
    ) as tf.Tensor2D;
    probs[c].dispose();
    // Sliced once for both products.
    const head = headRows(block);
    const part = tf.tidy(() => linearProducts.inputGrad(dLogits, head, false));
    // A running sum: one [rows, C] accumulator, not one per block.
    if (dHidden === null) dHidden = part;
    else {
      const sum = tf.add(dHidden, part);
      tf.dispose([dHidden, part]);
      dHidden = sum;
    }
    if (weightGrad) {
      weightParts.push(tf.tidy(() => linearProducts.weightGrad(dLogits, hidden, head, false)));
    }
    if (head !== weight) head.dispose();
    dLogits.dispose();
  });
  const result: CrossEntropyChunk = { lossSum, dHidden: dHidden as unknown as tf.Tensor2D };
  if (weightGrad) result.dWeight = tf.concat(weightParts, 0) as tf.Tensor2D;
  return result;
}

/** Equal blocks of at most `block` vocabulary entries. */
function vocabBlocks(vocab: number, block: number): [start: number, size: number][] {
  const size = Math.ceil(vocab / Math.ceil(vocab / block));
  const out: [number, number][] = [];
  for (let start = 0; start < vocab; start += size)
    out.push([start, Math.min(size, vocab - start)]);
  return out;
}
