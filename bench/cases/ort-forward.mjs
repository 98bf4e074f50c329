// The ONNX Runtime peers of gpt2-forward: the PyTorch side's random GPT-2 exported to ONNX
// (bench/torch/export_onnx.py: same weights, logits for every position) run by onnxruntime-web
// (its wasm build, in Node) or onnxruntime-node (native, CPU execution provider), on the bench's
// thread count. Timed: `session.run` on `[batch, length]` token ids, as gpt2-forward times ours.
//   node cases/ort-forward.mjs --runtime web|node --model gpt2.onnx [--batch 8 --length 128] [--quick]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { forwardRuns, timeRunsOf } from './timing.mjs';

const { values: args } = parseArgs({
  options: {
    runtime: { type: 'string' },
    model: { type: 'string' },
    batch: { type: 'string', default: '8' },
    length: { type: 'string', default: '128' },
    quick: { type: 'boolean', default: false },
  },
});
const PACKAGES = { web: 'onnxruntime-web', node: 'onnxruntime-node' };
const pkg = PACKAGES[args.runtime];
if (!pkg) throw new Error(`--runtime: expected web or node, got ${args.runtime}`);
if (!args.model) throw new Error('--model: the exported .onnx file is required');
const threads = Number(process.env.LGPT_BENCH_THREADS ?? 1);
const [batch, length] = [Number(args.batch), Number(args.length)];

/** The result line bench/run.mjs reads: an error it shows in the peer's column, then exit 1. */
function fail(error) {
  console.log(JSON.stringify({ error }));
  process.exit(1);
}

let ort;
try {
  ort = await import(pkg);
} catch (error) {
  fail(`${pkg} not installed (pnpm install: bench/package.json lists it): ${error.message}`);
}

let session;
if (args.runtime === 'web') {
  // Read before the session starts: the wasm build runs numThreads threads (Node's worker
  // threads), the main one included.
  ort.env.wasm.numThreads = threads;
  session = await ort.InferenceSession.create(await readFile(args.model), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
} else {
  // Sequential execution runs one graph node at a time, so every thread goes to the products
  // inside a node (the intra-op pool counts the calling thread).
  session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
}

// Token ids spread over GPT-2's 50257-token vocabulary (bench/torch/common.py's Config); their
// values do not change a dense model's time.
const VOCAB = 50257;
const ids = new ort.Tensor(
  'int64',
  BigInt64Array.from({ length: batch * length }, (_, i) => BigInt((i * 7919) % VOCAB)),
  [batch, length],
);
const time = await timeRunsOf(
  async () => {
    // The logits come back in a JS array (onnxruntime-web copies them out of its wasm heap).
    const { logits } = await session.run({ input_ids: ids });
    logits.dispose();
  },
  { runs: forwardRuns(batch, length, args.quick) },
);
await session.release();
console.log(
  JSON.stringify({
    case: `ort-${args.runtime}-forward-${batch}x${length}`,
    runtime: pkg,
    version: ort.env.versions?.[args.runtime] ?? ort.env.versions?.common,
    ...time,
    tokens_per_s: (batch * length * 1000) / time.ms,
    threads: args.runtime === 'web' ? ort.env.wasm.numThreads : threads,
    node: process.version,
  }),
);
