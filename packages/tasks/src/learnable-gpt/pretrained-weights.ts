import { slice } from '@lgpt/core';
import type { GPT2LMHeadModel } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import type { SeedGPT2Model } from './gpt2-model.js';

/**
 * Copies a Hugging Face GPT-2's weights into the seed's model as `models/gpt2.py:from_pretrained`
 * maps them: embeddings, `c_attn` split into query/key/value and transposed to `[out, in]`,
 * `c_proj`, the layer norms, and the MLP (`c_fc` → `interm_dense`, `c_proj` → `out_dense`) unless
 * the variant replaced it with KAN (then the KAN keeps its random init). Returns the seed's names
 * of the parameters written (with `prefix`).
 */
export function copyPretrainedWeights(
  gpt: SeedGPT2Model,
  lm: GPT2LMHeadModel,
  prefix = 'gpt.',
): string[] {
  const hf = lm.stateDict();
  const source = (key: string): tf.Tensor => {
    const t = hf[`transformer.${key}`];
    if (!t) throw new Error(`the GPT-2 checkpoint has no 'transformer.${key}'`);
    return t;
  };
  const c = gpt.config.hiddenSize;
  const pairs: [string, (get: typeof source) => tf.Tensor][] = [
    ['word_embedding.weight', (get) => get('wte.weight')],
    ['pos_embedding.weight', (get) => get('wpe.weight')],
    ['final_layer_norm.weight', (get) => get('ln_f.weight')],
    ['final_layer_norm.bias', (get) => get('ln_f.bias')],
  ];
  const hasMlp = gpt.config.variant !== 'kan' && gpt.config.variant !== 'lorakan';
  for (let i = 0; i < gpt.config.numLayers; i++) {
    const layer = `gpt_layers.${i}`;
    const h = `h.${i}`;
    ['query', 'key', 'value'].forEach((name, j) => {
      pairs.push([
        `${layer}.self_attention.${name}.weight`,
        (get) => tf.transpose(slice(get(`${h}.attn.c_attn.weight`), [0, j * c], [c, c])),
      ]);
      pairs.push([
        `${layer}.self_attention.${name}.bias`,
        (get) => slice(get(`${h}.attn.c_attn.bias`), [j * c], [c]),
      ]);
    });
    pairs.push(
      [`${layer}.attention_dense.weight`, (get) => tf.transpose(get(`${h}.attn.c_proj.weight`))],
      [`${layer}.attention_dense.bias`, (get) => get(`${h}.attn.c_proj.bias`)],
      [`${layer}.attention_layer_norm.weight`, (get) => get(`${h}.ln_1.weight`)],
      [`${layer}.attention_layer_norm.bias`, (get) => get(`${h}.ln_1.bias`)],
      [`${layer}.out_layer_norm.weight`, (get) => get(`${h}.ln_2.weight`)],
      [`${layer}.out_layer_norm.bias`, (get) => get(`${h}.ln_2.bias`)],
    );
    if (hasMlp) {
      pairs.push(
        [`${layer}.interm_dense.weight`, (get) => tf.transpose(get(`${h}.mlp.c_fc.weight`))],
        [`${layer}.interm_dense.bias`, (get) => get(`${h}.mlp.c_fc.bias`)],
        [`${layer}.out_dense.weight`, (get) => tf.transpose(get(`${h}.mlp.c_proj.weight`))],
        [`${layer}.out_dense.bias`, (get) => get(`${h}.mlp.c_proj.bias`)],
      );
    }
  }
  const mapped = tf.tidy(() =>
    Object.fromEntries(pairs.map(([name, make]) => [name, make(source)])),
  );
  try {
    gpt.loadStateDict(mapped, { strict: false });
  } finally {
    tf.dispose(Object.values(mapped));
  }
  return pairs.map(([name]) => `${prefix}${name}`);
}
