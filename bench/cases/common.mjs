// Shared pieces of the JS cases: arguments, backend setup, timing and the result line.

import { parseArgs } from 'node:util';
import { initBackend, Rng, slice, wasmThreads } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';
import { timeRunsOf } from './timing.mjs';

export const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    quick: { type: 'boolean', default: false },
    // Sizes for cases that take them (gpt2-forward: batch × length).
    batch: { type: 'string' },
    length: { type: 'string' },
  },
  strict: false,
});

/** The thread count PyTorch gets too (wasm only: the other backends choose their own). */
export const threads = Number(process.env.LGPT_BENCH_THREADS ?? 1);

/** On webgpu, the adapter the case ran on (vendor, architecture, device), for the result line. */
let gpu = null;

export async function setup() {
  await initBackend(args.backend, args.backend === 'wasm' ? { threads } : {});
  if (args.backend === 'webgpu') gpu = await describeGpu();
}

/**
 * The adapter behind `navigator.gpu` (as initBackend installed it): a result must say whether it
 * ran on a real GPU or on a software one (SwiftShader, llvmpipe).
 */
async function describeGpu() {
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter?.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description];
  return parts.filter(Boolean).join(' ') || 'unknown adapter';
}

/** Random token ids `[rows, cols]` from a seeded generator. */
export function randomIds(rows, cols, vocab, seed = 0) {
  const rng = new Rng(seed);
  return tf.tensor2d(
    Int32Array.from({ length: rows * cols }, () => rng.int(vocab)),
    [rows, cols],
    'int32',
  );
}

/**
 * Waits until `t` is computed without reading all of it (wasm and cpu compute eagerly; webgpu
 * queues work, and reading one element waits for the queue). lgpt's `slice`, not `tf.slice`:
 * tfjs-wasm's Slice copies its whole input out of the heap first, which added ~45 ms to the
 * `gemm` case and ~0.75 s to the 8 × 128 forward's logits.
 */
export async function settle(t) {
  const one = tf.tidy(() => slice(tf.reshape(t, [-1]), [0], [1]));
  await one.data();
  one.dispose();
}

/** Median times of `runs` calls after `warmup` (see timing.mjs); `--quick`: one call. */
export function timeRuns(fn, { warmup = 1, runs = args.quick ? 1 : 3 } = {}) {
  return timeRunsOf(fn, { warmup, runs });
}

/** Bytes of the wasm backend's heap: its high-water mark, as wasm memory never shrinks. */
export function wasmHeapBytes() {
  const wasm = tf.getBackend() === 'wasm' ? tf.backend().wasm : null;
  return (wasm?.asm?.memory ?? wasm?.wasmMemory)?.buffer.byteLength ?? 0;
}

/**
 * Prints the result line `bench/run.mjs` reads (the last line starting with `{`); `flops` (per
 * timed call) gives the GFLOP/s beside the time.
 */
export function report(fields) {
  console.log(
    JSON.stringify({
      ...fields,
      backend: tf.getBackend(),
      threads: tf.getBackend() === 'wasm' ? wasmThreads() : threads,
      node: process.version,
      relaxed_simd: hasRelaxedSimd(),
      ...(gpu ? { gpu } : {}),
    }),
  );
}

/**
 * Whether this engine runs wasm relaxed SIMD, which lgpt's GEMM uses for fused multiply-adds
 * (Node ≥ 22 and Chrome ≥ 114 by default; Node 20 with `--experimental-wasm-relaxed-simd`).
 * The bytes are `(func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd …))`.
 */
function hasRelaxedSimd() {
  const module = 'AGFzbQEAAAABCAFgA3t7ewF7AwIBAAoNAQsAIAAgASAC/YUCCw==';
  return WebAssembly.validate(Uint8Array.from(atob(module), (c) => c.charCodeAt(0)));
}
