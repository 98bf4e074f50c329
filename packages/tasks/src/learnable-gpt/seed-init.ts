import { Linear, normal, type Rng } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SeedGPT2Model } from './gpt2-model.js';

/**
 * The seed's `GPTPreTrainedModel._init_weights` (`models/base_gpt.py`), applied to its GPT-2 body
 * when it is built: every `nn.Linear` N(0, 0.02) with a zero bias (embeddings are drawn N(0, 0.02)
 * at construction). Layers that are not `nn.Linear` in the seed keep their own init: LoRA
 * (`LoRALinear`), KAN and PyG's GAT projection (`gat.lin`). The pretrained weights are copied over
 * this afterwards; what stays is the init of the seed's new modules (`pooler_dense`, the graph's
 * `gat_projection` and `fusion`).
 */
export function initSeedWeights(gpt: SeedGPT2Model, rng: Rng): void {
  for (const [path, module] of gpt.namedModules()) {
    if (!(module instanceof Linear) || /(^|\.)gat\.lin$/.test(path)) continue;
    tf.tidy(() => {
      module.weight.assign(normal(module.weight.shape, 0, 0.02, rng));
      module.bias?.assign(tf.zerosLike(module.bias));
    });
  }
}
