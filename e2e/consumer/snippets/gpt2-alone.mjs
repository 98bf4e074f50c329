// A project that installed @lgpt/gpt2 alone: no adapter package came with it; a random small GPT-2
// runs a forward and generates with the KV cache, on wasm, tokenized with GPT-2's own vocabulary.
import { existsSync } from 'node:fs';
import { initBackend, manualSeed } from '@lgpt/core';
import { GPT2LMHeadModel, GPT2Tokenizer, gpt2Preset } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';

for (const adapter of ['kan', 'lora', 'gat', 'tasks']) {
  if (existsSync(`node_modules/.pnpm/node_modules/@lgpt/${adapter}`)) {
    throw new Error(`installing @lgpt/gpt2 also installed @lgpt/${adapter}`);
  }
}
await initBackend('wasm');
manualSeed(0);
const model = new GPT2LMHeadModel(gpt2Preset('tiny', { nLayer: 2 })).eval();
const tokenizer = await GPT2Tokenizer.load();
const ids = tokenizer.encode('Shall I compare thee to a summer');
const { logits } = model.forward([ids]);
if (logits.shape.join() !== [1, ids.length, 50257].join()) {
  throw new Error(`logits have shape [${logits.shape}]`);
}
logits.dispose();
const [generated] = await model.generate([ids], { maxNewTokens: 5, eosTokenId: null });
if (generated.length !== ids.length + 5) throw new Error(`generated ${generated.length} tokens`);
const before = tf.memory().numTensors;
console.log(`gpt2 alone: forward and generate ok: ${JSON.stringify(tokenizer.decode(generated))}`);
model.dispose();
if (tf.memory().numTensors >= before) throw new Error('dispose freed nothing');
