import type * as tf from '@tensorflow/tfjs-core';
import { type BatchMatMulAttrs, GEMM } from '../names.js';
import { GEMM_RELAXED_SIMD_BASE64, GEMM_SIMD_BASE64 } from './gemm-binary.js';
import type { WasmHeapBackend } from './heap.js';

/**
 * Runs gemm.wat on tfjs-backend-wasm's heap. The product is computed in blocks (Goto's scheme):
 * `DEPTH_BLOCK` steps of the inner dimension at a time, B packed `COL_BLOCK` columns at a time and
 * A `ROW_BLOCK` rows at a time (a block in L2, one 4-row panel in L1), so the 4×8 tiles read
 * packed, cache-resident operands. Measured on GPT-2's products (1024 rows, one Zen 4 core, Node
 * 20): ~42 GFLOP/s against XNNPACK's ~30 (tfjs's matMul), ~46 with relaxed SIMD. The block sizes
 * were tried from half to four times these: all within the run-to-run noise.
 */
const TILE_ROWS = 4;
const TILE_COLS = 8;
const DEPTH_BLOCK = 256;
const ROW_BLOCK = 120;
const COL_BLOCK = 512;

/** The parts of tfjs-backend-wasm's backend the kernel uses (typed here, as in heap.ts). */
interface WasmGemmBackend extends WasmHeapBackend {
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    _malloc(bytes: number): number;
  };
}

interface GemmExports {
  pack_a(
    src: number,
    dst: number,
    rows: number,
    depth: number,
    rowStride: number,
    depthStride: number,
  ): void;
  pack_b(
    src: number,
    dst: number,
    cols: number,
    depth: number,
    depthStride: number,
    colStride: number,
  ): void;
  tiles(
    a: number,
    b: number,
    c: number,
    rowTiles: number,
    colTiles: number,
    depth: number,
    cRowBytes: number,
    accumulate: number,
  ): void;
}

interface Gemm {
  exports: GemmExports;
  /** Whether this is the relaxed-SIMD build (fused multiply-adds). */
  fused: boolean;
  memory: WebAssembly.Memory;
  /** Byte offsets of the packing buffers and of the edge tiles, allocated once in the heap. */
  packedA: number;
  packedB: number;
  edge: number;
}

interface Compiled {
  module: WebAssembly.Module;
  fused: boolean;
}

let compiled: Compiled | null | undefined;
const instances = new WeakMap<object, Gemm | null>();

/** The module this engine can run: fused multiply-adds where it has relaxed SIMD, else SIMD. */
function compile(): Compiled | null {
  for (const [base64, fused] of [
    [GEMM_RELAXED_SIMD_BASE64, true],
    [GEMM_SIMD_BASE64, false],
  ] as const) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    // Under 4 KB, so synchronous compilation is allowed on a browser's main thread too.
    if (WebAssembly.validate(bytes)) return { module: new WebAssembly.Module(bytes), fused };
  }
  return null;
}

/**
 * The GEMM for `backend`, or null where it cannot run: a threaded wasm backend (its heap is shared
 * memory, and XNNPACK's threads outrun one core) or an engine without wasm SIMD.
 */
export function wasmGemm(backend: object): Gemm | null {
  let gemm = instances.get(backend);
  if (gemm === undefined) {
    gemm = instantiate(backend as WasmGemmBackend);
    instances.set(backend, gemm);
  }
  return gemm;
}

function instantiate(backend: WasmGemmBackend): Gemm | null {
  const memory = backend.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof ArrayBuffer))
    return null;
  if (compiled === undefined) compiled = compile();
  const build = compiled;
  if (build === null) return null;
  const instance = new WebAssembly.Instance(build.module, { env: { memory } });
  const malloc = (floats: number) => backend.wasm._malloc(floats * 4) >>> 0;
  return {
    exports: instance.exports as unknown as GemmExports,
    fused: build.fused,
    memory,
    packedA: malloc(ROW_BLOCK * DEPTH_BLOCK),
    packedB: malloc(DEPTH_BLOCK * COL_BLOCK),
    edge: malloc(Math.max(TILE_ROWS * COL_BLOCK, ROW_BLOCK * TILE_COLS)),
  };
}

/** One matrix product `C[M, N] = A[M, K] · B[K, N]`; byte offsets and element strides of A and B. */
interface Product {
  a: number;
  aRowStride: number;
  aDepthStride: number;
  b: number;
  bDepthStride: number;
  bColStride: number;
  c: number;
  rows: number;
  depth: number;
  cols: number;
}

function multiply(gemm: Gemm, p: Product): void {
  const { exports: g, packedA, packedB } = gemm;
  if (p.depth === 0) {
    new Float32Array(gemm.memory.buffer, p.c, p.rows * p.cols).fill(0);
    return;
  }
  for (let j0 = 0; j0 < p.cols; j0 += COL_BLOCK) {
    const cols = Math.min(COL_BLOCK, p.cols - j0);
    for (let k0 = 0; k0 < p.depth; k0 += DEPTH_BLOCK) {
      const depth = Math.min(DEPTH_BLOCK, p.depth - k0);
      g.pack_b(
        p.b + 4 * (k0 * p.bDepthStride + j0 * p.bColStride),
        packedB,
        cols,
        depth,
        p.bDepthStride,
        p.bColStride,
      );
      for (let i0 = 0; i0 < p.rows; i0 += ROW_BLOCK) {
        const rows = Math.min(ROW_BLOCK, p.rows - i0);
        g.pack_a(
          p.a + 4 * (i0 * p.aRowStride + k0 * p.aDepthStride),
          packedA,
          rows,
          depth,
          p.aRowStride,
          p.aDepthStride,
        );
        const block: Block = {
          c: p.c + 4 * (i0 * p.cols + j0),
          rows,
          cols,
          depth,
          accumulate: k0 > 0,
        };
        const rowTiles = Math.floor(rows / TILE_ROWS);
        const colTiles = Math.floor(cols / TILE_COLS);
        if (rowTiles > 0 && colTiles > 0) {
          g.tiles(
            packedA,
            packedB,
            block.c,
            rowTiles,
            colTiles,
            depth,
            4 * p.cols,
            +block.accumulate,
          );
        }
        if (colTiles * TILE_COLS < cols && rowTiles > 0) lastColumns(gemm, p, block);
        if (rowTiles * TILE_ROWS < rows) lastRows(gemm, p, block);
      }
    }
  }
}

/** A block of C: its first element's byte offset, its size, and whether it adds to C. */
interface Block {
  c: number;
  rows: number;
  cols: number;
  depth: number;
  accumulate: boolean;
}

/**
 * The block's last `cols % 8` columns (rows of whole tiles), through one column of tiles in the
 * `edge` buffer (the packed B is zero-padded to a whole tile).
 */
function lastColumns(gemm: Gemm, p: Product, block: Block): void {
  const rows = Math.floor(block.rows / TILE_ROWS) * TILE_ROWS;
  const first = Math.floor(block.cols / TILE_COLS) * TILE_COLS;
  const edge = rowsOf(gemm, gemm.edge, TILE_COLS, rows);
  const c = rowsOf(gemm, block.c, p.cols, rows, block.cols);
  if (block.accumulate) for (const [r, row] of c.entries()) edge[r].set(row.subarray(first));
  gemm.exports.tiles(
    gemm.packedA,
    gemm.packedB + 4 * first * block.depth,
    gemm.edge,
    rows / TILE_ROWS,
    1,
    block.depth,
    4 * TILE_COLS,
    +block.accumulate,
  );
  for (const [r, row] of c.entries()) row.set(edge[r].subarray(0, block.cols - first), first);
}

/** The block's last `rows % 4` rows (all columns), through one row of tiles in the `edge` buffer. */
function lastRows(gemm: Gemm, p: Product, block: Block): void {
  const first = Math.floor(block.rows / TILE_ROWS) * TILE_ROWS;
  const count = block.rows - first;
  const edgeCols = Math.ceil(block.cols / TILE_COLS) * TILE_COLS;
  const edge = rowsOf(gemm, gemm.edge, edgeCols, count);
  const c = rowsOf(gemm, block.c + 4 * first * p.cols, p.cols, count, block.cols);
  if (block.accumulate) for (const [r, row] of c.entries()) edge[r].set(row);
  gemm.exports.tiles(
    gemm.packedA + 4 * first * block.depth,
    gemm.packedB,
    gemm.edge,
    1,
    edgeCols / TILE_COLS,
    block.depth,
    4 * edgeCols,
    +block.accumulate,
  );
  for (const [r, row] of c.entries()) row.set(edge[r].subarray(0, block.cols));
}

/** Views of `count` rows of `width` floats, `stride` floats apart, from byte `at` of the heap. */
function rowsOf(
  gemm: Gemm,
  at: number,
  stride: number,
  count: number,
  width = stride,
): Float32Array[] {
  return Array.from(
    { length: count },
    (_, r) => new Float32Array(gemm.memory.buffer, at + 4 * r * stride, width),
  );
}

function gemmKernel({
  inputs,
  backend,
  attrs,
}: {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: WasmGemmBackend;
  attrs: BatchMatMulAttrs;
}): tf.TensorInfo {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const gemm = wasmGemm(backend);
  if (gemm === null) throw new Error(`${GEMM}: this wasm backend cannot run lgpt's GEMM`);
  const [groups, aRows, aCols] = a.shape;
  const [, bRows, bCols] = b.shape;
  const [rows, depth] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const cols = transposeB ? bRows : bCols;
  const out = backend.makeOutput([groups, rows, cols], 'float32');
  // Offsets after makeOutput: allocating may grow (and so move the views of) the heap.
  const [aAt, bAt, cAt] = [a, b, out].map((t) => backend.typedArrayFromHeap(t).byteOffset);
  for (let g = 0; g < groups; g++) {
    multiply(gemm, {
      a: aAt + 4 * g * rows * depth,
      aRowStride: transposeA ? 1 : depth,
      aDepthStride: transposeA ? rows : 1,
      b: bAt + 4 * g * depth * cols,
      bDepthStride: transposeB ? 1 : cols,
      bColStride: transposeB ? depth : 1,
      c: cAt + 4 * g * rows * cols,
      rows,
      depth,
      cols,
    });
  }
  return out;
}

export const gemmWasmConfig: tf.KernelConfig = {
  kernelName: GEMM,
  backendName: 'wasm',
  kernelFunc: gemmKernel as unknown as tf.KernelFunc,
};
