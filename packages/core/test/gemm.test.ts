import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
// @ts-expect-error: a build script, not typed
import { assembleGemm } from '../scripts/build-gemm.mjs';
import { Rng, wasmThreads } from '../src/index.js';
import { wasmGemm } from '../src/kernels/wasm/gemm.js';
import { setPackedWeightBytes } from '../src/kernels/wasm/packed-weights.js';
import { gemm, useGemm } from '../src/ops/gemm.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';
import { requestedWasmThreads } from '../src/wasm-threads.js';

/**
 * lgpt's GEMM kernel (gemm.wat) runs on wasm and must equal tfjs's own matMul (the composite every
 * other backend runs) on every path through its blocking: edge tiles in rows and columns, depth
 * split into blocks, several row and column blocks, transposed operands, batches. On threaded wasm
 * (`LGPT_WASM_THREADS=2`) its threads must give exactly the single thread's result. The file runs
 * twice (vitest.config.ts): as Node 20 starts, with the SIMD build, and with relaxed SIMD, whose
 * build fuses the multiply-adds.
 */
describeBackends(
  'GEMM kernel equals tf.matMul',
  () => {
    it('runs on wasm, with the threads asked for', async () => {
      expect(useGemm(32)).toBe(true);
      expect(useGemm(31)).toBe(false);
      expect(wasmGemm(tf.backend())?.threads).toBe(await requestedWasmThreads(undefined));
      // A few rows by a row-major B (gemv): on one thread only, else XNNPACK's matMul.
      expect(useGemm(1, true)).toBe(threads() === 1);
      expect(useGemm(1, false)).toBe(false);
      // A few rows by a weight kept packed (packed_rows), in either layout, on every thread count.
      const weight = variable(tf.zeros([8, 16]));
      expect(useGemm(1, false, { weight, transposed: true })).toBe(true);
      expect(useGemm(4, true, { weight, transposed: false })).toBe(true);
      expect(useGemm(5, true, { weight, transposed: false })).toBe(false);
      // Not where the budget leaves no room for it: tfjs's matMul then (gemv on one thread).
      setPackedWeightBytes(0);
      expect(useGemm(1, false, { weight, transposed: true })).toBe(false);
      expect(useGemm(1, true, { weight, transposed: false })).toBe(threads() === 1);
      setPackedWeightBytes(2 ** 30);
      weight.dispose();
    });

    it('gives a few rows by a row-major B (gemv) the bits of the blocked product', async () => {
      const rng = new Rng(11);
      // Columns past the last whole vector, and (4 rows) more columns than one chunk of C.
      for (const [rows, depth, cols] of [
        [1, 700, 1500],
        [3, 33, 1030],
        [4, 9, 16390],
      ]) {
        const a = rng.normalTensor([rows, depth]);
        const b = rng.normalTensor([depth, cols]);
        const few = await gemm(a, b).data();
        const blocked = tf.tidy(() => tf.slice(gemm(tf.tile(a, [32 / rows + 1, 1]), b), 0, rows));
        const blockedValues = await blocked.data();
        expect(Buffer.from(few.buffer).equals(Buffer.from(blockedValues.buffer))).toBe(true);
        tf.dispose([a, b, blocked]);
      }
    });

    it('gives on several threads exactly the sums of one thread', async (context) => {
      if (threads() === 1) context.skip();
      const gemmState = wasmGemm(tf.backend());
      if (gemmState === null) throw new Error('no GEMM');
      const rng = new Rng(5);
      // Split by columns (wide), by rows (tall), and a batch split by its entries.
      for (const [a, b] of [
        [rng.normalTensor([100, 700]), rng.normalTensor([700, 1500])],
        [rng.normalTensor([1, 700]), rng.normalTensor([700, 1500])],
        [rng.normalTensor([1030, 600]), rng.normalTensor([600, 70])],
        [rng.normalTensor([12, 130, 64]), rng.normalTensor([12, 64, 130])],
      ]) {
        const threaded = await gemm(a, b).data();
        const { pool } = gemmState;
        gemmState.pool = null;
        const single = await gemm(a, b).data();
        gemmState.pool = pool;
        expect(Buffer.from(threaded.buffer).equals(Buffer.from(single.buffer))).toBe(true);
        tf.dispose([a, b]);
      }
    });

    it('gives a weight kept packed the bits of one packed per call, on every thread', async () => {
      const gemmState = wasmGemm(tf.backend());
      if (gemmState === null) throw new Error('no GEMM');
      const rng = new Rng(13);
      // Column blocks (512) with a partial last one and edge tiles, depth blocks (256) with a
      // partial last one, a transposed weight (the LM head's layout), and rows past one tile.
      // Up to 4 rows read the packing panel by panel (packed_rows), on several threads in parts
      // that start inside a column block, and a last panel of fewer than 8 columns.
      for (const [rows, depth, cols, transposeB] of [
        [32, 700, 1500, false],
        [37, 300, 1030, true],
        [5, 9, 13, false],
        [255, 64, 520, true],
        [1, 700, 1500, false],
        [2, 530, 2100, true],
        [3, 300, 1030, false],
        [4, 9, 13, true],
      ] as const) {
        const a = rng.normalTensor([rows, depth]);
        const weight = variable(rng.normalTensor(transposeB ? [cols, depth] : [depth, cols]));
        const before = gemmState.packedWeights.keptBytes;
        const perCall = await expectNoLeaks(() => gemm(a, weight, false, transposeB));
        const kept = await expectNoLeaks(() => gemm(a, weight, false, transposeB, true));
        expect(gemmState.packedWeights.keptBytes - before).toBe(
          4 * depth * Math.ceil(cols / 8) * 8,
        );
        const again = gemm(a, weight, false, transposeB, true);
        for (const t of [kept, again]) {
          const [x, y] = [await perCall.data(), await t.data()];
          expect(Buffer.from(x.buffer).equals(Buffer.from(y.buffer))).toBe(true);
        }
        expect(gemmState.packedWeights.keptBytes - before).toBe(
          4 * depth * Math.ceil(cols / 8) * 8,
        );
        // Disposing the weight frees its packed copy.
        weight.dispose();
        expect(gemmState.packedWeights.keptBytes).toBe(before);
        tf.dispose([a, perCall, kept, again]);
      }
    });

    it('keeps no packing for many rows or a reassigned weight', async () => {
      const gemmState = wasmGemm(tf.backend());
      if (gemmState === null) throw new Error('no GEMM');
      const rng = new Rng(17);
      const weight = variable(rng.normalTensor([64, 96]));
      const before = gemmState.packedWeights.keptBytes;
      const many = rng.normalTensor([256, 64]);
      tf.dispose(gemm(many, weight, false, false, true));
      // Packing pays little at 256 rows.
      expect(gemmState.packedWeights.keptBytes).toBe(before);
      const x = rng.normalTensor([32, 64]);
      tf.dispose(gemm(x, weight, false, false, true));
      expect(gemmState.packedWeights.keptBytes - before).toBe(4 * 64 * 96);
      // Assigning new values moves the variable to new data: the old copy goes with the old data.
      tf.tidy(() => weight.assign(tf.mul(weight, 2)));
      expect(gemmState.packedWeights.keptBytes).toBe(before);
      const doubled = gemm(x, weight, false, false, true);
      await expectClose(doubled, tf.matMul(x, weight), { atol: 1e-4 });
      tf.dispose([weight, many, x, doubled]);
      expect(gemmState.packedWeights.keptBytes).toBe(before);
    });

    it('fuses its multiply-adds where the engine has relaxed SIMD', () => {
      // The `relaxed-simd` test project runs this file with wasm relaxed SIMD turned on; Node ≥ 22
      // runs it by default.
      const nodeMajor = Number(process.versions.node.split('.')[0]);
      const relaxed = process.env.LGPT_EXPECT_RELAXED_SIMD === '1' || nodeMajor >= 22;
      expect(wasmGemm(tf.backend())?.fused).toBe(relaxed);
    });

    const shapes: [rows: number, depth: number, cols: number][] = [
      [1, 1, 1],
      [4, 8, 8],
      [3, 5, 7],
      [130, 300, 9],
      [257, 513, 1030],
      [1, 768, 2304],
      [2, 64, 4098],
    ];
    for (const [rows, depth, cols] of shapes) {
      it(`[${rows}, ${depth}] @ [${depth}, ${cols}], every transpose`, async () => {
        const rng = new Rng(rows * 7 + cols);
        for (const [transposeA, transposeB] of [
          [false, false],
          [false, true],
          [true, false],
          [true, true],
        ]) {
          const a = rng.normalTensor(transposeA ? [depth, rows] : [rows, depth]);
          const b = rng.normalTensor(transposeB ? [cols, depth] : [depth, cols]);
          const ours = await expectNoLeaks(() => gemm(a, b, transposeA, transposeB));
          await expectClose(ours, tf.matMul(a, b, transposeA, transposeB), {
            atol: 1e-4 * Math.sqrt(depth),
            label: `transposeA ${transposeA}, transposeB ${transposeB}`,
          });
          tf.dispose([a, b, ours]);
        }
      });
    }

    it('multiplies a batch matrix by matrix', async () => {
      const rng = new Rng(9);
      const a = rng.normalTensor([2, 3, 13, 64]);
      const b = rng.normalTensor([2, 3, 21, 64]);
      await expectClose(gemm(a, b, false, true), tf.matMul(a, b, false, true), { atol: 1e-4 });
      tf.dispose([a, b]);
    });

    it('adds a bias in the kernel with the bits of tf.add, and any other bias by tf.add', async () => {
      const rng = new Rng(12);
      // Columns past the last whole vector; a batch; a kept weight's few rows (packed_rows).
      for (const [aShape, bShape, keep] of [
        [[33, 20], [20, 1030], false],
        [[2, 40, 9], [2, 9, 7], false],
        [[3, 64], [64, 70], true],
      ] as const) {
        const a = rng.normalTensor([...aShape]);
        const b = keep ? variable(rng.normalTensor([...bShape])) : rng.normalTensor([...bShape]);
        const bias = rng.normalTensor([bShape[bShape.length - 1]]);
        const run = await tf.profile(() =>
          expectNoLeaks(() => gemm(a, b, false, false, keep, bias)),
        );
        expect(run.kernelNames).not.toContain('Add');
        const sum = tf.tidy(() => tf.add(gemm(a, b, false, false, keep), bias));
        const ours = await (run.result as tf.Tensor).data();
        expect(Buffer.from(ours.buffer).equals(Buffer.from((await sum.data()).buffer))).toBe(true);
        // A bias of another shape broadcasts as tf.add's does.
        const grid = rng.normalTensor([aShape[aShape.length - 2], 1]);
        const [gridOurs, gridSum] = tf.tidy(() => [
          gemm(a, b, false, false, keep, grid),
          tf.add(gemm(a, b), grid),
        ]);
        await expectClose(gridOurs, gridSum);
        tf.dispose([a, b, bias, run.result as tf.Tensor, sum, grid, gridOurs, gridSum]);
      }
    });

    it('gives zeros for an empty inner dimension', async () => {
      const a = tf.zeros([3, 0]);
      const b = tf.zeros([0, 5]);
      await expectClose(gemm(a, b), tf.zeros([3, 5]));
      tf.dispose([a, b]);
    });
  },
  { only: ['wasm'] },
);

/** A variable that alone holds `values`' data (`tf.variable` shares it with `values`). */
function variable(values: tf.Tensor): tf.Variable {
  const v = tf.variable(values);
  values.dispose();
  return v;
}

/** The GEMM's threads (`LGPT_WASM_THREADS`, else the cores). */
function threads(): number {
  return wasmThreads();
}

it('gemm-binary.ts is gemm.wat assembled', async () => {
  const committed = await readFile(
    new URL('../src/kernels/wasm/gemm-binary.ts', import.meta.url),
    'utf8',
  );
  expect(committed).toBe(await assembleGemm());
});
