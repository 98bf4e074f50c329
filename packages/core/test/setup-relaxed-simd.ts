// Setup of the `relaxed-simd` test project (vitest.config.ts): turns on wasm relaxed SIMD, as Node
// ≥ 22 and Chrome ≥ 114 have it, before lgpt's GEMM compiles (on its first product). Vitest 3 takes
// no per-project Node flags, and the flag takes effect for modules validated after it is set.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--experimental-wasm-relaxed-simd');
