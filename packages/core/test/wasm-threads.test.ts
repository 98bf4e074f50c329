import { expect, it } from 'vitest';
import { initBackend, wasmThreads } from '../src/index.js';
import { describeBackends } from '../src/testing.js';
import { defaultWasmThreads, requestedWasmThreads } from '../src/wasm-threads.js';

/**
 * Threads are chosen by the first `initBackend('wasm')` of a process: this suite's process starts
 * with the `LGPT_WASM_THREADS` threads (the available cores unless set; 1 for one thread).
 */
describeBackends(
  'wasm threads',
  () => {
    it('runs the threads asked for, and refuses to change them later', async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const threads = await requestedWasmThreads(undefined);
      expect(wasmThreads()).toBe(threads);
      // XNNPACK, tfjs's own kernels, keeps one thread (wasm-threads.ts says why).
      expect(wasm.getThreadsCount()).toBe(1);
      await expect(initBackend('wasm', { threads: threads + 1 })).rejects.toThrow(
        /already runs \d+ thread\(s\); threads can only be chosen by the first initBackend\('wasm'\)/,
      );
    });

    it('takes the running backend as it is when no count is chosen', async () => {
      const env = process.env.LGPT_WASM_THREADS;
      delete process.env.LGPT_WASM_THREADS;
      try {
        await initBackend('wasm');
        expect(wasmThreads()).toBe(Number(env ?? (await defaultWasmThreads())));
      } finally {
        if (env !== undefined) process.env.LGPT_WASM_THREADS = env;
      }
    });

    it('rejects a thread count that is not a positive integer', async () => {
      await expect(requestedWasmThreads(0)).rejects.toThrow(/positive integer, got 0/);
      await expect(requestedWasmThreads(1.5)).rejects.toThrow(/positive integer, got 1.5/);
    });

    it('defaults to the available cores (at most 8: tfjs-wasm starts 8 pthreads)', async () => {
      const { availableParallelism } = await import('node:os');
      expect(await defaultWasmThreads()).toBe(Math.min(availableParallelism(), 8));
      const env = process.env.LGPT_WASM_THREADS;
      delete process.env.LGPT_WASM_THREADS;
      try {
        expect(await requestedWasmThreads(undefined)).toBe(await defaultWasmThreads());
      } finally {
        if (env !== undefined) process.env.LGPT_WASM_THREADS = env;
      }
    });
  },
  { only: ['wasm'] },
);
