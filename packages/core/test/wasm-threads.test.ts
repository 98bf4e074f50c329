import { expect, it } from 'vitest';
import { initBackend } from '../src/index.js';
import { describeBackends } from '../src/testing.js';
import { requestedWasmThreads } from '../src/wasm-threads.js';

/**
 * Threads are chosen by the first `initBackend('wasm')` of a process: this suite's process starts
 * with the `LGPT_WASM_THREADS` threads (1 unless set: run the suites with 2 to test threads).
 */
describeBackends(
  'wasm threads',
  () => {
    it('runs the threads asked for, and refuses to change them later', async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const threads = requestedWasmThreads(undefined);
      expect(wasm.getThreadsCount()).toBe(threads);
      await expect(initBackend('wasm', { threads: threads + 1 })).rejects.toThrow(
        /already runs \d+ thread\(s\); threads can only be chosen by the first initBackend\('wasm'\)/,
      );
    });

    it('rejects a thread count that is not a positive integer', () => {
      expect(() => requestedWasmThreads(0)).toThrow(/positive integer, got 0/);
      expect(() => requestedWasmThreads(1.5)).toThrow(/positive integer, got 1.5/);
    });
  },
  { only: ['wasm'] },
);
