import * as tf from '@tensorflow/tfjs-core';
import { setGemmThreads, wasmGemm } from './kernels/wasm/gemm.js';

/** What `initBackend` uses of `@tensorflow/tfjs-backend-wasm`'s exports. */
export interface WasmBackendModule {
  setWasmPaths(prefix: string): void;
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

/** Where tfjs-backend-wasm keeps emscripten's own outputs for its threaded build. */
const MAIN_SCRIPT = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER_SCRIPT = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';

/**
 * Starts tfjs-backend-wasm's threaded build in Node, which tfjs 4.x does not do by itself (its
 * `WASM_HAS_MULTITHREAD_SUPPORT` flag is false in Node), for lgpt's GEMM to run on `threads`
 * threads sharing its heap (kernels/wasm/gemm-threads.ts).
 *
 * XNNPACK (tfjs's own kernels) keeps one thread: its threadpool wakes its threads for every op,
 * however small, and a generated token runs ~900 ops of one row. Measured on GPT-2's generation
 * (Node 24, two cores): 25–27 tokens/s with XNNPACK on two threads, 32 with it on one, while the
 * 8 × 128 forward and LoRA step (their products all lgpt's GEMM) stayed within the noise.
 *
 * Two things stand in the way, each handled only while the backend starts:
 *
 * - tfjs hands emscripten its pthread worker script as a `blob:` URL, which Node's
 *   `worker_threads` refuses (`ERR_WORKER_PATH`): `URL.createObjectURL` answers that request with
 *   `wasm-pthread-worker.cjs` (built next to this module), a real file that runs the
 *   package's own worker script and loads the package's own copy of the main script (the worker is
 *   sent it as a `Blob`, which it could not load either);
 * - running pthreads hold the event loop: their workers are unref'd so a script still exits.
 */
export async function startWasmThreads(
  wasm: WasmBackendModule,
  packageDir: string,
  threads: number,
): Promise<void> {
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const { join } = await import('node:path');
  const worker = fileURLToPath(new URL('./wasm-pthread-worker.cjs', import.meta.url));
  for (const file of [worker, join(packageDir, MAIN_SCRIPT), join(packageDir, WORKER_SCRIPT)]) {
    if (!existsSync(file)) {
      throw new Error(
        `initBackend('wasm', { threads: ${threads} }): ${file} is missing (threads need @tensorflow/tfjs-backend-wasm 4.x installed next to @lgpt/core)`,
      );
    }
  }
  const { createObjectURL } = URL;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(1);
  setGemmThreads(threads);
  URL.createObjectURL = (blob) =>
    (blob as Blob)?.type === 'application/javascript' ? worker : createObjectURL(blob as Blob);
  try {
    if (!(await tf.setBackend('wasm'))) {
      throw new Error(`initBackend('wasm', { threads: ${threads} }): the backend failed to start`);
    }
  } finally {
    URL.createObjectURL = createObjectURL;
  }
  const pthreads = (tf.backend() as unknown as { wasm: { PThread?: { runningWorkers: Unref[] } } })
    .wasm.PThread;
  for (const running of pthreads?.runningWorkers ?? []) running.unref();
}

interface Unref {
  unref(): void;
}

/** tfjs-backend-wasm's threaded build starts this many pthread workers up front. */
const PTHREAD_POOL = 8;

/**
 * The default: the cores this process may use, at most the size of the threaded build's pthread
 * pool (the cap from when XNNPACK ran on those pthreads; the GEMM's workers are its own).
 */
export async function defaultWasmThreads(): Promise<number> {
  const { availableParallelism } = await import('node:os');
  return Math.min(availableParallelism(), PTHREAD_POOL);
}

/**
 * Whether the caller chose a thread count (the option or `LGPT_WASM_THREADS`): a later
 * `initBackend('wasm')` that leaves it to the default takes the running backend as it is.
 */
export function threadsChosen(option: number | undefined): boolean {
  return option !== undefined || process.env.LGPT_WASM_THREADS !== undefined;
}

/**
 * Threads asked for: the option, else `LGPT_WASM_THREADS`, else `defaultWasmThreads()`, so that
 * `initBackend('wasm')` runs on every core without flags.
 */
export async function requestedWasmThreads(option: number | undefined): Promise<number> {
  const threads =
    option ??
    (process.env.LGPT_WASM_THREADS === undefined
      ? await defaultWasmThreads()
      : Number(process.env.LGPT_WASM_THREADS));
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(
      `wasm threads must be a positive integer, got ${option ?? `LGPT_WASM_THREADS=${process.env.LGPT_WASM_THREADS}`}`,
    );
  }
  return threads;
}

/**
 * The threads lgpt's GEMM runs on the started wasm backend: those `initBackend('wasm')` chose, else
 * (a backend started directly, as in a browser) tfjs's own count; 1 before it starts.
 */
export function wasmThreads(): number {
  const wasm = tf.engine().registry.wasm;
  return wasm ? (wasmGemm(wasm)?.threads ?? 1) : 1;
}
