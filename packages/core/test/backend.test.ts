import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/index.js';
import { describeBackends, expectClose, testBackends } from '../src/testing.js';

describe('initBackend', () => {
  it('registers tfjs-core gradients so tf.grad works with no other import', async () => {
    await initBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, -2, 3]));
    expect(Array.from(await g.data())).toEqual([2, -4, 6]);
  });

  it('rejects an unknown backend by name', async () => {
    await expect(initBackend('metal' as never)).rejects.toThrow(/unknown backend 'metal'/);
  });

  it('explains how to install a missing backend', async () => {
    const tfjsNode = '@tensorflow/tfjs-node';
    const installed = await import(/* @vite-ignore */ tfjsNode).then(
      () => true,
      () => false,
    );
    if (installed) return; // a user machine with tfjs-node: nothing to explain
    await expect(initBackend('tensorflow')).rejects.toThrow(
      /backend 'tensorflow' is not installed: add @tensorflow\/tfjs-node/,
    );
  });
});

describeBackends('every test backend', (backend) => {
  it('is active and computes a matmul and its gradient like the reference', async () => {
    expect(tf.getBackend()).toBe(backend);
    const a = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    await expectClose(
      tf.matMul(a, b),
      [
        [4, 5],
        [10, 11],
      ],
      { label: 'matmul' },
    );
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.matMul(x, b)))(a);
    await expectClose(
      g,
      [
        [1, 1, 2],
        [1, 1, 2],
      ],
      { label: 'grad' },
    );
  });
});

describe('testBackends', () => {
  const withEnv = <T>(value: string | undefined, f: () => T): T => {
    const saved = process.env.LGPT_TEST_BACKENDS;
    if (value === undefined) delete process.env.LGPT_TEST_BACKENDS;
    else process.env.LGPT_TEST_BACKENDS = value;
    try {
      return f();
    } finally {
      if (saved === undefined) delete process.env.LGPT_TEST_BACKENDS;
      else process.env.LGPT_TEST_BACKENDS = saved;
    }
  };

  it('reads LGPT_TEST_BACKENDS (default cpu,wasm) and rejects unknown names', () => {
    expect(withEnv(undefined, testBackends)).toEqual(['cpu', 'wasm']);
    expect(withEnv(' webgpu, cpu ,', testBackends)).toEqual(['webgpu', 'cpu']);
    expect(() => withEnv('cpu,metal', testBackends)).toThrow(/unknown backend 'metal'/);
  });
});

describeBackends(
  'the wasm Identity kernel',
  () => {
    const clonedShares = () => {
      const x = tf.tensor1d([1, 2, 3]);
      const y = tf.clone(x);
      const shared = y.dataId === x.dataId;
      tf.dispose([x, y]);
      return shared;
    };

    it('is replaced by initBackend with a buffer-sharing one, unless turned off', async () => {
      expect(clonedShares()).toBe(true);
      await initBackend('wasm', { shareWasmIdentity: false });
      expect(clonedShares()).toBe(false);
      await initBackend('wasm');
      expect(clonedShares()).toBe(true);
      const x = tf.tensor1d([4, 5]);
      const y = tf.clone(x);
      x.dispose();
      expect(Array.from(await y.data())).toEqual([4, 5]);
      y.dispose();
    });
  },
  { only: ['wasm'] },
);
