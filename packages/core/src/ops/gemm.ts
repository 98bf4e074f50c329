import * as tf from '@tensorflow/tfjs-core';
import { type BatchMatMulAttrs, GEMM } from '../kernels/names.js';
import { keepsPacked, wasmGemm } from '../kernels/wasm/gemm.js';

/**
 * Below this many rows of the product tfjs's matMul is as fast: the GEMM packs B on every call
 * (unless it keeps a weight's packing, kernels/wasm/packed-weights.ts), where XNNPACK keeps each
 * weight packed (a one-token step of generation multiplies one row).
 * At 32 rows (a short prompt read whole) the GEMM was faster on GPT-2's shapes, measured back to
 * back in one process on a busy machine: `[32, 768] @ [768, 3072]` 19–49 ms against XNNPACK's
 * 29–60 (a packed variable weight), and the LM head `[32, 768] @ [50257, 768]ᵀ` 0.75–1.0 s
 * against 1.8–2.2 s (which transposes the weight first).
 */
const MIN_ROWS = 32;

/** A weight the product asks the GEMM to keep packed (`gemm`'s `keepBPacked`), in its layout. */
export interface KeptWeight {
  weight: tf.Tensor;
  transposed: boolean;
}

/**
 * Whether a product with `rows` rows runs lgpt's GEMM kernel: on wasm with SIMD, single-threaded
 * or threaded (see kernels/wasm/gemm.ts). Elsewhere products keep their backend's own matMul.
 * A few rows run it too where B is a weight it keeps packed (`kept`): gemm.wat reads the packing
 * once, in order (`packed_rows`), split between the threads. Else, with `rowMajorB` (B not
 * transposed) and on a single-threaded backend, gemm.wat multiplies them by B in place (`gemv`),
 * with no packing, faster there than tfjs's matMul (XNNPACK); on several threads they stay on
 * XNNPACK's matMul, the faster while it had threads of its own; in Node it now keeps one
 * (wasm-threads.ts), and GPT-2's generation with no packing kept ran 15–21 tokens/s that way on
 * two threads against 14–19 with `gemv` on one (back to back, a busy host): no better either way.
 */
export function useGemm(rows: number, rowMajorB = false, kept: KeptWeight | null = null): boolean {
  const kernel = gemmKernel();
  if (kernel === null) return false;
  if (
    kept !== null &&
    rows <= kernel.gemvRows &&
    keepsPacked(kernel, kept.weight, kept.transposed)
  ) {
    return true;
  }
  // GPT-2's one-row products (a generated token's), Node 24: on one thread `gemv` read the
  // weights at 20–25 GB/s against XNNPACK's 16–17 (generation 27–29 tokens/s against 21). On two
  // threads XNNPACK's matMul, which splits its packed weight (contiguous per thread), ran 30–36
  // tokens/s; `gemv` on one of them ran 23–29, and split between them, by columns (each thread
  // reading part of every row of B) or by depth (partial sums added after), 22–25.
  const gemvHere = rowMajorB && kernel.threads === 1 && rows <= kernel.gemvRows;
  return rows >= MIN_ROWS || gemvHere;
}

/**
 * Whether lgpt's kernel `name` runs here: registered for this backend (on wasm, one that runs
 * gemm.wat: wasm with SIMD), on float32 `inputs`.
 */
export function runsLgptKernel(name: string, inputs: tf.Tensor[]): boolean {
  const backend = tf.getBackend();
  return (
    inputs.every((t) => t.dtype === 'float32') &&
    tf.getKernel(name, backend) !== undefined &&
    (backend !== 'wasm' || gemmKernel() !== null)
  );
}

/**
 * Whether lgpt's kernel `name` computes a value here (`runsLgptKernel`) outside gradient
 * computation (inference, generation), where nothing is saved for a backward pass: the elementwise
 * and row kernels (LayerNorm, GELU; gemm.wat's on wasm) have no gradients of their own.
 */
export function runsValueKernel(name: string, inputs: tf.Tensor[]): boolean {
  return tf.engine().state.gradientDepth === 0 && runsLgptKernel(name, inputs);
}

/** The GEMM where this backend runs it (wasm with SIMD), else null. */
export function gemmKernel(): ReturnType<typeof wasmGemm> {
  if (tf.getKernel(GEMM, tf.getBackend()) === undefined) return null;
  return wasmGemm(tf.backend());
}

/**
 * `op(a) @ op(b)` (float32) by the GEMM kernel (call only where `useGemm`), for matrices or
 * batches with the same leading axes; `op` transposes the last two axes when asked, at no extra
 * cost. `keepBPacked`: b is a weight that stays unchanged (kernels/wasm/packed-weights.ts keeps it
 * packed for products of few rows). `bias` is added to every row (in the kernel for a float32
 * vector of the product's width: a pass while the product is in cache, one dispatch fewer).
 * Records no gradient: it is used inside custom gradients.
 */
export function gemm(
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA = false,
  transposeB = false,
  keepBPacked = false,
  bias: tf.Tensor | null = null,
): tf.Tensor {
  const attrs = { transposeA, transposeB, keepBPacked };
  const cols = b.shape[b.rank - (transposeB ? 2 : 1)];
  if (bias === null || (bias.rank === 1 && bias.size === cols && bias.dtype === 'float32')) {
    return runBatchMatMulKernel(GEMM, a, b, attrs, bias);
  }
  return tf.tidy(() => tf.add(runBatchMatMulKernel(GEMM, a, b, attrs), bias));
}

/**
 * Runs a kernel of the batched matMul's signature (`[G, M, K] @ [G, K, N]`, operands optionally
 * transposed) over any matching leading axes; `bias`, where given, is passed on as it is.
 */
export function runBatchMatMulKernel(
  kernel: string,
  a: tf.Tensor,
  b: tf.Tensor,
  attrs: BatchMatMulAttrs,
  bias: tf.Tensor | null = null,
): tf.Tensor {
  return tf.tidy(() => {
    const [aRows, aCols] = a.shape.slice(-2);
    const [bRows, bCols] = b.shape.slice(-2);
    const batch = a.shape.slice(0, -2).reduce((n, d) => n * d, 1);
    const out = tf.engine().runKernel(
      kernel,
      {
        a: tf.reshape(a, [batch, aRows, aCols]),
        b: tf.reshape(b, [batch, bRows, bCols]),
        ...(bias ? { bias } : {}),
      },
      attrs,
    ) as tf.Tensor;
    return tf.reshape(out, [...a.shape.slice(0, -2), ...out.shape.slice(-2)]);
  });
}
