// lgpt's GEMM alone on GPT-2's largest product shape ([1024, 768] @ [768, 3072], c_fc on 8 x 128
// tokens), against wasm SIMD's peak on the same thread count (simd-peak.mjs): how close the
// kernel comes to what the engine allows.
import { linearProducts, Rng, wasmThreads } from '@lgpt/core';
import { simdPeak } from '../simd-peak.mjs';
import { report, settle, setup, timeRuns, wasmHeapBytes } from './common.mjs';
import { matMulFlops } from './flops.mjs';

await setup();
const [rows, depth, cols] = [1024, 768, 3072];
const rng = new Rng(0);
const x = rng.normalTensor([rows, depth]);
const w = rng.normalTensor([depth, cols]);

const time = await timeRuns(
  async () => {
    const y = linearProducts.forward(x, w, true);
    await settle(y);
    y.dispose();
  },
  { runs: 9 },
);
const flops = matMulFlops(rows, depth, cols);
const fields = { case: 'gemm', ...time, flops };
if (wasmHeapBytes() > 0) {
  // The peak the GEMM runs against: fused multiply-adds where the engine has them, as the GEMM.
  const peak = await simdPeak(wasmThreads());
  const best = peak.relaxed ?? peak.simd;
  Object.assign(fields, {
    simd_peak_gflops: peak.simd,
    relaxed_peak_gflops: peak.relaxed,
    gemm_vs_peak: flops / (time.ms * 1e6) / best,
  });
}
report(fields);
