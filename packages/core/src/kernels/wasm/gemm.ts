import type * as tf from '@tensorflow/tfjs-core';
import { GEMM, type GemmAttrs } from '../names.js';
import {
  GEMM_RELAXED_SIMD_BASE64,
  GEMM_RELAXED_SIMD_SHARED_BASE64,
  GEMM_SIMD_BASE64,
  GEMM_SIMD_SHARED_BASE64,
} from './gemm-binary.js';
import {
  type GemmThreadExports,
  GemmThreads,
  MAX_TASKS,
  type PackingBuffers,
  type Task,
} from './gemm-threads.js';
import type { WasmHeapBackend } from './heap.js';
import { MAX_KEPT_ROWS, PackedWeights, type PackedWeightsBackend } from './packed-weights.js';

/**
 * Runs gemm.wat on tfjs-backend-wasm's heap. The blocked product (Goto's scheme; blocks and edge
 * tiles in gemm.wat's `multiply`) runs ~42 GFLOP/s on GPT-2's products (1024 rows, one Zen 4
 * core, Node 20) against XNNPACK's ~30 (tfjs's matMul), ~46 with relaxed SIMD. On tfjs's threaded
 * build (a shared heap) each product is cut into tasks, parts of C by rows or by columns and never
 * along the depth, which the backend's threads share (gemm-threads.ts): every element is the same
 * sum as on one thread, bit for bit.
 */

/** The parts of tfjs-backend-wasm's backend the kernel uses (typed here, as in heap.ts). */
interface WasmGemmBackend extends WasmHeapBackend, PackedWeightsBackend {
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    /** The threaded build's heap, which it imports rather than exports. */
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(at: number): void;
    tfjs?: { getThreadsCount?(): number };
  };
}

interface GemmExports extends GemmThreadExports {
  multiply(...params: number[]): void;
  layer_norm(
    x: number,
    weight: number,
    bias: number,
    y: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  gelu_tanh(x: number, y: number, count: number, dy: number): void;
  dropout_mask(x: number, mask: number, y: number, count: number, scale: number): void;
  add_bias(c: number, cRowStride: number, rows: number, cols: number, bias: number): void;
  pack_weight(
    b: number,
    bDepthStride: number,
    bColStride: number,
    depth: number,
    cols: number,
    dst: number,
  ): void;
  GEMV_ROWS: WebAssembly.Global;
  DEPTH_BLOCK: WebAssembly.Global;
  ROW_BLOCK: WebAssembly.Global;
  COL_BLOCK: WebAssembly.Global;
}

export interface Gemm {
  exports: GemmExports;
  /** Whether this is the relaxed-SIMD build (fused multiply-adds). */
  fused: boolean;
  /** Threads a product is split across: the backend's own thread count. */
  threads: number;
  /** Products of at most this many rows with a row-major B run unpacked (gemm.wat's `gemv`). */
  gemvRows: number;
  /** The calling thread's packing buffers, allocated once in the heap. */
  buffers: PackingBuffers;
  /** The other threads, where there are any. */
  pool: GemmThreads | null;
  /** Weights kept packed (products of few rows asking for it). */
  packedWeights: PackedWeights;
  colBlock: number;
}

interface Compiled {
  module: WebAssembly.Module;
  fused: boolean;
}

/**
 * The GEMM's threads where `initBackend` started the threaded build (wasm-threads.ts), which
 * leaves XNNPACK one; else (a threaded backend started directly, as in a browser) XNNPACK's own
 * thread count.
 */
let requestedThreads: number | null = null;

/** Sets the threads the GEMM runs on a threaded backend (before its first product). */
export function setGemmThreads(threads: number): void {
  requestedThreads = threads;
}

/** Compiled modules by whether they import a shared heap. */
const compiled = new Map<boolean, Compiled | null>();
const instances = new WeakMap<object, Gemm | null>();

/**
 * The module this engine can run on a private or a shared heap: fused multiply-adds where it has
 * relaxed SIMD, else SIMD.
 */
function compile(shared: boolean): Compiled | null {
  const builds: [string, boolean][] = shared
    ? [
        [GEMM_RELAXED_SIMD_SHARED_BASE64, true],
        [GEMM_SIMD_SHARED_BASE64, false],
      ]
    : [
        [GEMM_RELAXED_SIMD_BASE64, true],
        [GEMM_SIMD_BASE64, false],
      ];
  for (const [base64, fused] of builds) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    // A few KB, so synchronous compilation is allowed on a browser's main thread too.
    if (WebAssembly.validate(bytes)) return { module: new WebAssembly.Module(bytes), fused };
  }
  return null;
}

/** The GEMM for `backend`, or null where it cannot run (an engine without wasm SIMD). */
export function wasmGemm(backend: object): Gemm | null {
  let gemm = instances.get(backend);
  if (gemm === undefined) {
    gemm = instantiate(backend as WasmGemmBackend);
    instances.set(backend, gemm);
  }
  return gemm;
}

function instantiate(backend: WasmGemmBackend): Gemm | null {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const shared = !(memory.buffer instanceof ArrayBuffer);
  if (!compiled.has(shared)) compiled.set(shared, compile(shared));
  const build = compiled.get(shared);
  if (!build) return null;
  const exports = new WebAssembly.Instance(build.module, { env: { memory } })
    .exports as unknown as GemmExports;
  const malloc = (bytes: number) => backend.wasm._malloc(bytes) >>> 0;
  const [depth, rows, cols] = [exports.DEPTH_BLOCK, exports.ROW_BLOCK, exports.COL_BLOCK].map(
    (block) => block.value as number,
  );
  const buffers = (): PackingBuffers => ({
    // A block's rows in 6-row panels then 4-row ones, the last padded: up to 3 rows more.
    packedA: malloc(4 * (rows + 3) * depth),
    packedB: malloc(4 * depth * cols),
    edge: malloc(4 * Math.max(4 * cols, 8 * rows)),
  });
  const own = buffers();
  const threads = shared
    ? Math.max(1, requestedThreads ?? backend.wasm.tfjs?.getThreadsCount?.() ?? 1)
    : 1;
  const pool =
    threads > 1
      ? new GemmThreads(exports, memory, build.module, threads - 1, malloc, buffers, own)
      : null;
  const gemvRows = exports.GEMV_ROWS.value as number;
  const packedWeights = new PackedWeights(backend);
  return {
    exports,
    fused: build.fused,
    threads,
    gemvRows,
    buffers: own,
    pool,
    packedWeights,
    colBlock: cols,
  };
}

/** One matrix product `C[M, N] = A[M, K] · B[K, N]`: byte offsets and element strides. */
export interface Product {
  a: number;
  aRowStride: number;
  aDepthStride: number;
  b: number;
  bDepthStride: number;
  bColStride: number;
  c: number;
  cRowStride: number;
  rows: number;
  depth: number;
  cols: number;
  /** The whole weight B is part of, packed (`pack_weight`), or 0. */
  prepacked: number;
  /** B's first column in that weight, and the weight's columns. */
  packedCol: number;
  packedCols: number;
}

/** `multiply`'s first 14 parameters for `p`. */
function taskOf(p: Product): Task {
  return [
    p.a,
    p.aRowStride,
    p.aDepthStride,
    p.b,
    p.bDepthStride,
    p.bColStride,
    p.c,
    p.cRowStride,
    p.rows,
    p.depth,
    p.cols,
    p.prepacked,
    p.packedCol,
    p.packedCols,
  ];
}

/**
 * Parts of C a job aims at per thread: more parts than threads, so a thread slowed by other work
 * on its core (or a slower core: a laptop's efficiency cores) leaves its share to the others; but
 * few, as each part packs the operand spanning the other side again (a split by rows packs all of
 * B once per part). A LoRA step of GPT-2 at 2 threads, in three back-to-back trios of processes
 * (medians of 5 steps): 6.58–6.74 s at 2 parts per thread, 6.50–7.00 at 1, 6.79–7.04 at 4.
 */
const PARTS_PER_THREAD = 2;
/** The narrowest part: a part packs the operand spanning the other side once more. */
const MIN_PART_COLS = 64;
const MIN_PART_ROWS = 32;

/**
 * `p` cut into at most `parts` parts of C along its longer side, in whole tiles (rows: 12, whole
 * tiles of 4 and of 6 rows, as gemm.wat's `tiles6` runs in its fused builds). A part packs
 * the other operand once more (a column part its rows of A, which one thread already packs once
 * per 512 columns): cutting 3072 columns into 8 parts costs 1/768 of the arithmetic. Column parts
 * of a prepacked B are whole column blocks (`colBlock`), where its packed blocks start, except
 * for few rows (`packed_rows`), which read it from any panel of 8 columns.
 */
function split(p: Product, parts: number, gemm: Gemm): Product[] {
  const byCols = p.cols >= p.rows;
  const wholeBlocks = p.prepacked !== 0 && p.rows > gemm.gemvRows;
  const [length, tile, narrowest] = byCols
    ? wholeBlocks
      ? [p.cols, gemm.colBlock, gemm.colBlock]
      : [p.cols, 8, MIN_PART_COLS]
    : [p.rows, 12, MIN_PART_ROWS];
  const count = Math.max(1, Math.min(parts, Math.floor(length / narrowest)));
  const size = Math.ceil(length / count / tile) * tile;
  const out: Product[] = [];
  for (let start = 0; start < length; start += size) {
    const n = Math.min(size, length - start);
    out.push(
      byCols
        ? {
            ...p,
            b: p.b + 4 * start * p.bColStride,
            c: p.c + 4 * start,
            cols: n,
            packedCol: p.packedCol + start,
          }
        : { ...p, a: p.a + 4 * start * p.aRowStride, c: p.c + 4 * start * p.cRowStride, rows: n },
    );
  }
  return out;
}

/**
 * Multiply-adds below which a job stays on the calling thread: waking the others costs more than
 * they would take over (a generated token's attention products, 12 heads × 64 × its length).
 */
const MIN_THREADED_WORK = 1 << 20;

/** Whether gemm.wat runs a product by `gemv` (its rule, in `multiply`). */
function isGemv(gemm: Gemm, p: Product): boolean {
  return p.rows <= gemm.gemvRows && p.bColStride === 1 && p.prepacked === 0;
}

/** Whether the products are better run on the calling thread alone. */
function oneThread(products: Product[]): boolean {
  const [first] = products;
  return products.length * first.rows * first.depth * first.cols < MIN_THREADED_WORK;
}

/** Runs the products (one per batch entry) across the GEMM's threads, or on this one. */
export function multiplyAll(gemm: Gemm, products: Product[]): void {
  const { exports, buffers, pool } = gemm;
  if (pool === null || oneThread(products)) {
    for (const p of products) {
      exports.multiply(...taskOf(p), buffers.packedA, buffers.packedB, buffers.edge);
    }
    return;
  }
  // `gemv`'s products stream B from memory: a thread reading only part of each row of B jumps
  // from row to row, which the hardware prefetches worse than one thread reading all of it
  // (GPT-2's `[768, 2304]` weight split in two took 1.0 ms against 0.33 on one thread).
  const [first] = products;
  const parts = isGemv(gemm, first)
    ? 1
    : Math.ceil((PARTS_PER_THREAD * gemm.threads) / products.length);
  const tasks = products.flatMap((p) => (parts > 1 ? split(p, parts, gemm) : [p])).map(taskOf);
  for (let start = 0; start < tasks.length; start += MAX_TASKS) {
    pool.run(tasks.slice(start, start + MAX_TASKS));
  }
}

/** B's strides, depth then column, as `multiply` takes them. */
function bStrides(transposeB: boolean, depth: number, cols: number): [number, number] {
  return transposeB ? [1, depth] : [cols, 1];
}

/** Bytes of a `[depth, cols]` weight packed (`pack_weight`: columns padded to whole panels). */
function packedBytes(depth: number, cols: number): number {
  return 4 * depth * Math.ceil(cols / 8) * 8;
}

/**
 * Whether a product by the weight `b` (`[depth, cols]`, or `[cols, depth]` with `transposeB`)
 * reads it from a kept packing: already kept in this layout, or within the budget.
 */
export function keepsPacked(gemm: Gemm, b: tf.TensorInfo, transposeB: boolean): boolean {
  const [depth, cols] = transposeB ? [b.shape[1], b.shape[0]] : b.shape;
  return gemm.packedWeights.keeps(b, transposeB, packedBytes(depth, cols));
}

/**
 * B's kept packed copy where the caller asked for one (`keepBPacked`: a weight) and it pays (one
 * product of at most MAX_KEPT_ROWS rows), else 0.
 */
function keptPacking(
  gemm: Gemm,
  backend: WasmGemmBackend,
  b: tf.TensorInfo,
  attrs: GemmAttrs,
  [groups, rows, depth, cols]: number[],
): number {
  if (!attrs.keepBPacked || groups !== 1 || rows > MAX_KEPT_ROWS || depth * cols === 0) return 0;
  const [bDepthStride, bColStride] = bStrides(attrs.transposeB, depth, cols);
  const bytes = packedBytes(depth, cols);
  return gemm.packedWeights.get(b, attrs.transposeB, bytes, (dst) => {
    const bAt = backend.typedArrayFromHeap(b).byteOffset;
    gemm.exports.pack_weight(bAt, bDepthStride, bColStride, depth, cols, dst);
  });
}

function gemmKernel({
  inputs,
  backend,
  attrs,
}: {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
  backend: WasmGemmBackend;
  attrs: GemmAttrs;
}): tf.TensorInfo {
  const { a, b, bias } = inputs;
  const { transposeA, transposeB } = attrs;
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${GEMM}: this wasm backend cannot run lgpt's GEMM`);
  const [groups, aRows, aCols] = a.shape;
  const [, bRows, bCols] = b.shape;
  const [rows, depth] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const cols = transposeB ? bRows : bCols;
  const out = backend.makeOutput([groups, rows, cols], 'float32');
  const prepacked = keptPacking(gemm, backend, b, attrs, [groups, rows, depth, cols]);
  // Offsets after allocating (makeOutput, a kept packing), which may grow the heap and move its views.
  const [aAt, bAt, cAt] = [a, b, out].map((t) => backend.typedArrayFromHeap(t).byteOffset);
  const [bDepthStride, bColStride] = bStrides(transposeB, depth, cols);
  const products = Array.from({ length: groups }, (_, g) => ({
    a: aAt + 4 * g * rows * depth,
    aRowStride: transposeA ? 1 : depth,
    aDepthStride: transposeA ? rows : 1,
    b: bAt + 4 * g * depth * cols,
    bDepthStride,
    bColStride,
    c: cAt + 4 * g * rows * cols,
    cRowStride: cols,
    rows,
    depth,
    cols,
    prepacked,
    packedCol: 0,
    packedCols: cols,
  }));
  multiplyAll(gemm, products);
  if (bias !== undefined) {
    const biasAt = backend.typedArrayFromHeap(bias).byteOffset;
    gemm.exports.add_bias(cAt, cols, groups * rows, cols, biasAt);
  }
  return out;
}

export const gemmWasmConfig: tf.KernelConfig = {
  kernelName: GEMM,
  backendName: 'wasm',
  kernelFunc: gemmKernel as unknown as tf.KernelFunc,
};
