// The most float32 arithmetic wasm SIMD does: 12 independent accumulators, each updated
// `acc = acc·m + c` in a loop with nothing else in it (no loads), so the time is the multiply and
// add units' and nothing more. A GEMM in wasm cannot beat this. Also the same with relaxed SIMD's
// fused multiply-add where the engine has it (Node 20: `node --experimental-wasm-relaxed-simd`).
// `--threads n` (or `max`) runs the loop on n worker threads at once and sums their rates: the
// peak a threaded GEMM on n cores is measured against.
//   node bench/simd-peak.mjs [--threads 1]
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import wabtInit from 'wabt';

const ACCUMULATORS = 12; // with the two constants, 14 of the 16 xmm registers V8 allocates from
const ITERATIONS = 2e8;
const FLOPS_PER_UPDATE = 8; // four lanes, a multiply and an add each

function module(fused) {
  const update = (i) =>
    fused
      ? `(local.set $a${i} (f32x4.relaxed_madd (local.get $a${i}) (local.get $m) (local.get $c)))`
      : `(local.set $a${i} (f32x4.add (f32x4.mul (local.get $a${i}) (local.get $m)) (local.get $c)))`;
  const ids = [...Array(ACCUMULATORS).keys()];
  let sum = '(local.get $a0)';
  for (const i of ids.slice(1)) sum = `(f32x4.add ${sum} (local.get $a${i}))`;
  return `(module (func (export "run") (param $n i32) (result f32)
    (local $m v128) (local $c v128) ${ids.map((i) => `(local $a${i} v128)`).join(' ')}
    (local.set $m (f32x4.splat (f32.const 0.999)))
    (local.set $c (f32x4.splat (f32.const 0.001)))
    (loop $L
      ${ids.map(update).join('\n      ')}
      (br_if $L (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f32x4.extract_lane 0 ${sum})))`;
}

/** Seconds one thread takes for the loop (after a warm-up that tiers it up). */
async function timeLoop(bytes, iterations) {
  const { instance } = await WebAssembly.instantiate(bytes);
  instance.exports.run(1e6);
  const start = performance.now();
  instance.exports.run(iterations);
  return (performance.now() - start) / 1000;
}

/** The loop on `threads` worker threads at once: their summed GFLOP/s. */
async function runThreads(bytes, threads, iterations) {
  const seconds = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), {
            workerData: { bytes, iterations },
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return seconds.reduce(
    (sum, s) => sum + (iterations * ACCUMULATORS * FLOPS_PER_UPDATE) / s / 1e9,
    0,
  );
}

/**
 * GFLOP/s of wasm SIMD (multiply, add) and of relaxed SIMD (fused; null where the engine lacks
 * it) on `threads` threads at once.
 */
export async function simdPeak(threads = 1, iterations = ITERATIONS) {
  const wabt = await wabtInit();
  const result = {};
  for (const fused of [false, true]) {
    const parsed = wabt.parseWat('peak.wat', module(fused), { simd: true, relaxed_simd: true });
    const bytes = parsed.toBinary({}).buffer;
    result[fused ? 'relaxed' : 'simd'] = WebAssembly.validate(bytes)
      ? await runThreads(bytes, threads, iterations)
      : null;
  }
  return result;
}

if (!isMainThread) {
  parentPort.postMessage(await timeLoop(workerData.bytes, workerData.iterations));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' } } });
  const threads = values.threads === 'max' ? availableParallelism() : Number(values.threads);
  const peak = await simdPeak(threads);
  const on = `on ${threads} thread${threads > 1 ? 's' : ''}`;
  console.log(`SIMD (multiply, add): ${peak.simd.toFixed(1)} GFLOP/s ${on}`);
  console.log(
    peak.relaxed === null
      ? 'relaxed SIMD (fused multiply-add): not supported by this engine'
      : `relaxed SIMD (fused multiply-add): ${peak.relaxed.toFixed(1)} GFLOP/s ${on}`,
  );
}
