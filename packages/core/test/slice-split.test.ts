import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng, slice, split } from '../src/index.js';
import { describeBackends, expectClose, expectNoLeaks } from '../src/testing.js';

/**
 * On wasm `slice` and `split` run lgpt's heap-to-heap kernels (`LgptSlice`, `LgptSplit`);
 * elsewhere `tf.slice` / `tf.split`. Both must equal tfjs's own ops, values and gradients.
 */
describeBackends('slice and split (kernel or composite) equal tf.slice / tf.split', (backend) => {
  const rng = new Rng(5);
  const cases: [shape: number[], begin: number[], size: number[]][] = [
    [
      [7, 5],
      [2, 0],
      [3, 5],
    ], // whole rows: one contiguous copy
    [
      [7, 5],
      [1, 2],
      [4, 2],
    ], // a strided 2-D box
    [
      [3, 4, 6],
      [1, 1, 0],
      [2, 2, 6],
    ],
    [
      [2, 6, 3, 40],
      [0, 2, 1, 0],
      [2, 3, 2, 40],
    ], // long runs (the copy-by-subarray path)
    [
      [4, 3],
      [0, 0],
      [-1, -1],
    ], // sizes of -1: to the end
  ];

  it('slices like tf.slice, float32 and int32, with the same gradient', async () => {
    expect(tf.getKernel('LgptSlice', backend) !== undefined).toBe(backend === 'wasm');
    for (const [shape, begin, size] of cases) {
      const x = rng.normalTensor(shape);
      const label = `[${shape}] from [${begin}] size [${size}]`;
      const ours = await expectNoLeaks(() => slice(x, begin, size), 'slice');
      await expectClose(ours, tf.slice(x, begin, size), { atol: 0, label });
      const ints = tf.cast(tf.mul(x, 10), 'int32');
      expect(await slice(ints, begin, size).data()).toEqual(
        await tf.slice(ints, begin, size).data(),
      );
      const r = rng.normalTensor(ours.shape);
      const grad = (f: typeof slice) =>
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v, begin, size), r)))(x);
      await expectClose(grad(slice), grad(tf.slice), { atol: 0, label: `${label} gradient` });
      tf.dispose([x, ints, ours, r]);
    }
  });

  it('splits like tf.split along any axis, with the same gradient', async () => {
    expect(tf.getKernel('LgptSplit', backend) !== undefined).toBe(backend === 'wasm');
    const x = rng.normalTensor([2, 9, 4]);
    const cases: [number[], number][] = [
      [[2, 3, 4], 1],
      [[1, 1], 0],
      [[1, 2, 1], 2],
    ];
    // An empty part (tfjs-webgpu cannot allocate an empty buffer, even for its own tf.split).
    if (backend !== 'webgpu') cases.push([[1, 0, 3], 2]);
    for (const [sizes, axis] of cases) {
      const ours = await expectNoLeaks(() => split(x, sizes, axis), 'split');
      const expected = tf.split(x, sizes, axis);
      for (const [i, part] of ours.entries()) {
        await expectClose(part, expected[i], {
          atol: 0,
          label: `part ${i} of [${sizes}] on ${axis}`,
        });
      }
      const weights = ours.map((p) => rng.normalTensor(p.shape));
      const grad = (f: typeof split) =>
        tf.grad((v: tf.Tensor) =>
          tf.addN(f(v, sizes, axis).map((p, i) => tf.sum(tf.mul(p, weights[i])))),
        )(x);
      await expectClose(grad(split), grad(tf.split), { atol: 1e-6, label: `[${sizes}] gradient` });
      tf.dispose([...ours, ...expected, ...weights]);
    }
    expect(() => split(x, [2, 2], 1)).toThrow(
      /sizes \[2,2\] must be non-negative integers summing to 9/,
    );
    x.dispose();
  });
});
