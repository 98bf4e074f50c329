import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from '../custom-grad.js';
import { BATCH_MATMUL } from '../kernels/names.js';
import { gemm, gemmKernel, runBatchMatMulKernel, useGemm } from './gemm.js';

/**
 * `op(a) @ op(b)` over matching leading (batch) axes, where `op` transposes the last two axes when
 * `transposeA` / `transposeB` is set: `[…, M, K] @ […, K, N] → […, M, N]`.
 *
 * wasm runs lgpt's GEMM kernel (any batch, transposes free, on every thread) for products of at
 * least 32 rows. Backends with a registered `LgptBatchMatMul` kernel (wasm otherwise) run it for
 * batches of several matrices (a transposed operand costs nothing there), and a plain `tf.matMul`
 * of explicitly transposed operands for a single matrix (XNNPACK's fast path; wasm's transposed
 * matMul is far slower: DEVELOPERS.md, Performance). Other backends run `tf.matMul` with its transpose flags. The gradient is written with
 * the same op, so it never asks wasm for a transposed matMul either.
 */
export function batchMatMul(
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA = false,
  transposeB = false,
): tf.Tensor {
  return customGrad(([x, y], save) => {
    save([x, y]);
    return {
      value: product(x, y, transposeA, transposeB),
      gradFunc: (dy, [xs, ys]) => {
        if (!transposeA && !transposeB) {
          return [product(dy, ys, false, true), product(xs, dy, true, false)];
        }
        if (!transposeA) return [product(dy, ys, false, false), product(dy, xs, true, false)];
        if (!transposeB) return [product(ys, dy, false, true), product(xs, dy, false, false)];
        return [product(ys, dy, true, true), product(dy, xs, true, true)];
      },
    };
  })(a, b);
}

/**
 * The forward product: lgpt's GEMM where it runs (see above; also for a batch of few-row products,
 * as a generated token's attention, which the `LgptBatchMatMul` kernel's four transposes made
 * ~0.25 ms a call), the backend's kernel if it has one, else the composite `tf.matMul`.
 */
function product(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  const batch = a.shape.slice(0, -2).reduce((n, d) => n * d, 1);
  const rows = a.shape[a.rank - (transposeA ? 1 : 2)];
  if (useGemm(rows, !transposeB) || (batch > 1 && gemmKernel() !== null)) {
    return gemm(a, b, transposeA, transposeB);
  }
  if (!tf.getKernel(BATCH_MATMUL, tf.getBackend())) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => {
    if (batch === 1) {
      return tf.matMul(transposeA ? swapLastAxes(a) : a, transposeB ? swapLastAxes(b) : b);
    }
    return runBatchMatMulKernel(BATCH_MATMUL, a, b, { transposeA, transposeB });
  });
}

function swapLastAxes(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}
