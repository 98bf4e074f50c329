// Case 2: one LoRA fine-tuning step of GPT-2 small (r=16, alpha=32, dropout 0.1 on c_attn, c_proj,
// c_fc: attention and MLP), AdamW, causal-LM loss, batch 8 x 128, train mode. Also the memory of a
// step, and a check that nothing grows over 50 steps (at 1 x 32 tokens, to keep it short).
// `--preset gpt2-medium` times the same step of a larger GPT-2 (one run, no growth check) and
// `--checkpointing` turns on gradient checkpointing; both report the wasm heap's high-water mark.

import { parseArgs } from 'node:util';
import { causalLmLoss, GPT2LMHeadModel, gpt2Preset } from '@lgpt/gpt2';
import { getPeftModel } from '@lgpt/lora';
import { AdamW } from '@lgpt/tasks';
import * as tf from '@tensorflow/tfjs-core';
import { args, randomIds, report, setup, timeRuns, wasmHeapBytes } from './common.mjs';
import { gpt2LoraStepFlops } from './flops.mjs';

const { values: options } = parseArgs({
  options: {
    preset: { type: 'string', default: 'gpt2' },
    checkpointing: { type: 'boolean', default: false },
  },
  strict: false,
});
await setup();
const [batch, length] = [8, 128];
const model = new GPT2LMHeadModel(gpt2Preset(options.preset));
if (options.checkpointing) model.gradientCheckpointingEnable();
const peft = getPeftModel(model, {
  r: 16,
  loraAlpha: 32,
  loraDropout: 0.1,
  targetModules: ['c_attn', 'c_proj', 'c_fc'],
  fanInFanOut: true,
});
peft.train();
const trainable = peft.parameters().filter((p) => p.trainable);
const optimizer = new AdamW({ lr: 1e-3, eps: 1e-6, weightDecay: 0 });

/** tf.memory().numBytes when the last step's forward pass ended (what backward needs is held). */
let forwardEndBytes = 0;

function step(ids) {
  const { value, grads } = tf.variableGrads(() => {
    const { lastHiddenState } = model.transformer.forward(ids);
    const loss = causalLmLoss(lastHiddenState, model.headWeight, ids);
    forwardEndBytes = tf.memory().numBytes;
    return loss;
  }, trainable);
  optimizer.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads)]);
}

const ids = randomIds(batch, length, model.config.vocabSize);
const name = ['lora-step', ...(options.preset === 'gpt2' ? [] : [options.preset])];
if (options.checkpointing) name.push('checkpointing');
if (options.preset !== 'gpt2') {
  // A minute a step: one warm-up and one timed step; the heap then holds its high-water mark.
  const time = await timeRuns(() => step(ids), { runs: 1 });
  report({
    case: name.join('-'),
    ...time,
    tokens_per_s: (batch * length * 1000) / time.ms,
    flops: gpt2LoraStepFlops(model.config, batch, length),
    checkpointing: options.checkpointing,
    wasm_heap_peak_bytes: wasmHeapBytes(),
  });
  process.exit(0);
}
const time = await timeRuns(() => step(ids));

// Memory of one step: tfjs's peak bytes, against the bytes held when its forward pass ended
// (frozen and trainable weights, optimizer state, and the activations backward needs).
const startBytes = tf.memory().numBytes;
const profile = await tf.profile(() => step(ids));
const weightsAndActivations = forwardEndBytes;

// Growth: after warm-up steps (V8 compiles code for the new shapes), 50 steps at 1 x 32 tokens
// must hold no more tensors, bytes, wasm heap or RSS.
const small = randomIds(1, 32, model.config.vocabSize, 1);
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};
for (let i = 0; i < 5; i++) step(small);
const before = {
  tensors: tf.memory().numTensors,
  bytes: tf.memory().numBytes,
  heap: wasmHeapBytes(),
};
const rssBefore = rss();
const growthSteps = args.quick ? 10 : 50;
for (let i = 0; i < growthSteps; i++) step(small);

report({
  case: name.join('-'),
  ...time,
  tokens_per_s: (batch * length * 1000) / time.ms,
  flops: gpt2LoraStepFlops(model.config, batch, length),
  trainable_params: trainable.reduce((n, p) => n + p.size, 0),
  weight_bytes: model.parameters().reduce((n, p) => n + p.size * 4, 0),
  activation_bytes: weightsAndActivations - startBytes,
  peak_tf_bytes: profile.peakBytes,
  peak_vs_weights_plus_activations: profile.peakBytes / weightsAndActivations,
  peak_rss: process.resourceUsage().maxRSS * 1024,
  checkpointing: options.checkpointing,
  growth: {
    steps: growthSteps,
    shape: [1, 32],
    tensors: tf.memory().numTensors - before.tensors,
    tf_bytes: tf.memory().numBytes - before.bytes,
    wasm_heap_bytes: wasmHeapBytes() - before.heap,
    rss_bytes: rss() - rssBefore,
  },
  // Read last: the heap's high-water mark over every step above.
  wasm_heap_peak_bytes: wasmHeapBytes(),
});
