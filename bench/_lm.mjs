import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng, linearProducts } from '@lgpt/core';
await initBackend('wasm', { threads: Number(process.env.T ?? 1) });
const { gemm } = await import('../packages/core/dist/index.js').catch(() => ({}));
const rng = new Rng(1);
const rows = Number(process.env.R ?? 32);
const x = rng.normalTensor([rows, 768]);
const w = tf.variable(rng.normalTensor([50257, 768]));
const wc = tf.variable(rng.normalTensor([768, 3072]));
const time = async (f) => { const t0 = performance.now(); const y = f(); await y.data(); const ms = performance.now() - t0; y.dispose(); return ms; };
const res = { lmXnn: [], lmGemm: [], fcXnn: [], fcGemm: [] };
for (let i = 0; i < 4; i++) {
  res.lmXnn.push(await time(() => linearProducts.forward(x, w, false)));
  res.lmGemm.push(await time(() => tf.tidy(() => tf.engine().runKernel('LgptGemm', { a: tf.reshape(x, [1, rows, 768]), b: tf.reshape(w, [1, 50257, 768]) }, { transposeA: false, transposeB: true }))));
  res.fcXnn.push(await time(() => linearProducts.forward(x, wc, true)));
  res.fcGemm.push(await time(() => tf.tidy(() => tf.engine().runKernel('LgptGemm', { a: tf.reshape(x, [1, rows, 768]), b: tf.reshape(wc, [1, 768, 3072]) }, { transposeA: false, transposeB: false }))));
}
for (const [k, v] of Object.entries(res)) if (v.length) console.log(k, v.map((t) => t.toFixed(0)).join(' '));
process.exit(0);
