// The most float32 arithmetic one core does in wasm SIMD: 12 independent accumulators, each
// updated `acc = acc·m + c` in a loop with nothing else in it (no loads), so the time is the
// multiply and add units' and nothing more. A GEMM in wasm cannot beat this. Also the same with
// relaxed SIMD's fused multiply-add where the engine has it (Node 20:
// `node --experimental-wasm-relaxed-simd bench/simd-peak.mjs`).
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

const wabt = await wabtInit();
for (const fused of [false, true]) {
  const parsed = wabt.parseWat('peak.wat', module(fused), { simd: true, relaxed_simd: true });
  const bytes = parsed.toBinary({}).buffer;
  const name = fused ? 'relaxed SIMD (fused multiply-add)' : 'SIMD (multiply, add)';
  if (!WebAssembly.validate(bytes)) {
    console.log(`${name}: not supported by this engine`);
    continue;
  }
  const { instance } = await WebAssembly.instantiate(bytes);
  instance.exports.run(1e6); // tier up to the optimising compiler
  const start = performance.now();
  instance.exports.run(ITERATIONS);
  const seconds = (performance.now() - start) / 1000;
  const gflops = (ITERATIONS * ACCUMULATORS * FLOPS_PER_UPDATE) / seconds / 1e9;
  console.log(`${name}: ${gflops.toFixed(1)} GFLOP/s on one core`);
}
