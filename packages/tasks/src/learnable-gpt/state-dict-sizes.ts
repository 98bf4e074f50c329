import type * as tf from '@tensorflow/tfjs-core';
import type { SeedTask } from './seed-config.js';

/** The model sizes a seed state dict determines (heads only where a GAT's shapes show them). */
export interface SeedStateDictSizes {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number | null;
  /** The sentiment classifier's output count (`num_labels`, counted from the train file). */
  numLabels: number | null;
}

function tensorShape(dict: Record<string, tf.Tensor>, key: string, rank: number): number[] {
  const t = dict[key];
  if (!t) throw new Error(`seed state dict: missing key '${key}'`);
  if (t.rank !== rank) {
    throw new Error(`seed state dict: '${key}' must have rank ${rank}, got shape [${t.shape}]`);
  }
  return t.shape;
}

/** Reads the sizes of a seed model from its state dict's shapes. */
export function seedStateDictSizes(
  task: SeedTask,
  dict: Record<string, tf.Tensor>,
): SeedStateDictSizes {
  const [vocabSize, nEmbd] = tensorShape(dict, 'gpt.word_embedding.weight', 2);
  const [nPositions] = tensorShape(dict, 'gpt.pos_embedding.weight', 2);
  const layers = new Set<number>();
  for (const key of Object.keys(dict)) {
    const m = /^gpt\.gpt_layers\.(\d+)\./.exec(key);
    if (m) layers.add(Number(m[1]));
  }
  const gat = dict['gpt.gpt_layers.0.graph_attention.gat.att_src'];
  return {
    vocabSize,
    nPositions,
    nEmbd,
    nLayer: layers.size,
    nHead: gat?.rank === 3 ? (gat.shape[1] as number) : null,
    numLabels: task === 'sentiment' ? tensorShape(dict, 'classifier.weight', 2)[0] : null,
  };
}
