// Memory of loading a served checkpoint: a random GPT-2 small (~500 MB F32) served over HTTP on
// loopback (by serve-checkpoint.mjs, another process) is loaded with
// GPT2LMHeadModel.fromPretrained(url): safetensors read by range requests, tensor by tensor. The
// result is how much the loader's RSS rose at its peak, as a multiple of the weights' bytes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GPT2LMHeadModel } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { report, setup } from './common.mjs';

const server = spawn(
  process.execPath,
  [fileURLToPath(new URL('serve-checkpoint.mjs', import.meta.url))],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  const { url } = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`serve-checkpoint exited with ${code}`)));
    createInterface({ input: server.stdout }).on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line));
    });
  });
  await setup();
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  const model = await GPT2LMHeadModel.fromPretrained(url);
  const ms = performance.now() - started;
  const weightBytes = model.parameters().reduce((n, p) => n + p.size * 4, 0);
  // maxRSS is the process's peak since it started; before loading it was this process's size.
  const peak = process.resourceUsage().maxRSS * 1024;
  globalThis.gc?.();
  const after = process.memoryUsage().rss;
  report({
    case: 'load-url',
    ms,
    weight_bytes: weightBytes,
    tf_bytes: tf.memory().numBytes,
    rss_before: before,
    rss_peak: peak,
    rss_after: after,
    peak_before: peakBefore,
    peak_rise_vs_weights: (peak - Math.max(before, peakBefore)) / weightBytes,
    rise_after_vs_weights: (after - before) / weightBytes,
  });
  model.dispose();
} finally {
  server.kill('SIGTERM');
}
