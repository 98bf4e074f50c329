import type { GPT2ConfigFields } from '@lgpt/gpt2';
import type { LoraConfigInit } from '@lgpt/lora';

/** Sizes kept small so that a step takes seconds, not a minute, even on a software GPU. */
export const SETTINGS = {
  seed: 0,
  /**
   * Overrides of `gpt2Preset('tiny')` (4 layers × 128 wide). A random base with GPT-2's
   * initializer_range of 0.02 has tied embeddings so small that its logits stay within a few
   * units whatever the adapters do, which caps how far the loss can fall; 0.1 leaves them room.
   */
  model: { nLayer: 2, initializerRange: 0.1 } satisfies Partial<GPT2ConfigFields>,
  batchSize: 4,
  seqLen: 32,
  lr: 1e-2,
  lora: {
    r: 8,
    loraAlpha: 16,
    targetModules: ['c_attn', 'c_proj', 'c_fc'],
  } satisfies LoraConfigInit,
  generation: { maxNewTokens: 24, doSample: true, topK: 20, temperature: 0.8 },
};
