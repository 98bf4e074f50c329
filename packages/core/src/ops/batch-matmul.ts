import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from '../custom-grad.js';
import { BATCH_MATMUL } from '../kernels/wasm/batch-matmul.js';

/**
 * `a @ b` over matching leading (batch) axes, `[…, M, K] @ […, K, N]`.
 *
 * Backends with a registered `LgptBatchMatMul` kernel (wasm) run it for batches of several
 * matrices; everything else runs `tf.matMul` (a single matrix takes XNNPACK's fast path on wasm).
 * The gradient transposes its operands explicitly and reuses the same product: autodiff of
 * `tf.matMul` would call `matMul(…, transposeA/B)`, which tfjs-wasm runs 10–40× slower.
 */
export function batchMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return customGrad(([x, y], save) => {
    save([x, y]);
    return {
      value: product(x, y),
      gradFunc: (dy, [xs, ys]) => [product(dy, swapLastAxes(ys)), product(swapLastAxes(xs), dy)],
    };
  })(a, b);
}

/** The forward product: the backend's kernel if it has one, else the composite `tf.matMul`. */
function product(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const batch = a.shape.slice(0, -2).reduce((n, d) => n * d, 1);
  if (batch === 1 || !tf.getKernel(BATCH_MATMUL, tf.getBackend())) return tf.matMul(a, b);
  return tf.tidy(() => {
    const [rows, inner] = a.shape.slice(-2);
    const cols = b.shape[b.rank - 1];
    const out = tf.engine().runKernel(BATCH_MATMUL, {
      a: tf.reshape(a, [-1, rows, inner]),
      b: tf.reshape(b, [-1, inner, cols]),
    }) as tf.Tensor;
    return tf.reshape(out, [...a.shape.slice(0, -2), rows, cols]);
  });
}

function swapLastAxes(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}
