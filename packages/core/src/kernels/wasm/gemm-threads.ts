/**
 * The GEMM's threads on tfjs-backend-wasm's threaded build, whose heap is shared memory: workers
 * (Node's `worker_threads`, a browser's Web Workers) instantiate the same gemm module against the
 * same heap and take tasks, each one part of C (`multiply` in gemm.wat), from a control block in
 * the heap. The calling thread posts a job, runs tasks itself, then waits for the rest: with
 * `Atomics.wait` where it may block (Node, workers), else by spinning on `Atomics.load` (a
 * browser's main thread may not block; it only waits for the last tasks the workers still run).
 * XNNPACK's own threads are idle meanwhile: the GEMM runs inside a kernel, between tfjs's.
 */

/** Tasks of one job at most (the claim word's 10-bit fields, gemm.wat's `run_tasks`). */
export const MAX_TASKS = 1023;
const TASK_INTS = 14;
const CONTROL_BYTES = 16 + 4 * TASK_INTS * MAX_TASKS;
/** Int32 indices in the control block: the claim word, the done count, the job signal. */
const CLAIM = 0;
const DONE = 1;
const SIGNAL = 2;

/** The packing buffers `multiply` needs, one set per thread (byte offsets in the heap). */
export interface PackingBuffers {
  packedA: number;
  packedB: number;
  edge: number;
}

/** One task: `multiply`'s first 14 parameters (byte offsets, element strides, sizes, prepacked B). */
export type Task = readonly number[];

export interface GemmThreadExports {
  run_tasks(control: number, packedA: number, packedB: number, edge: number): void;
}

/**
 * A worker's whole program (plain JavaScript for Node's `eval` workers and a browser's `blob:`
 * workers alike): instantiate the module on the shared heap, run the posted job's tasks, sleep
 * until the next (after a short spin: jobs come in bursts, one per product of a layer).
 */
const WORKER_SOURCE = `
const SIGNAL = ${SIGNAL};
const SPINS = 20000;
function serve({ module, memory, control, packedA, packedB, edge }) {
  const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const heap = new Int32Array(memory.buffer, control, 4);
  let signal = Atomics.load(heap, SIGNAL);
  for (;;) {
    gemm.run_tasks(control, packedA, packedB, edge);
    for (let spin = 0; Atomics.load(heap, SIGNAL) === signal; spin++) {
      if (spin >= SPINS) Atomics.wait(heap, SIGNAL, signal);
    }
    signal = Atomics.load(heap, SIGNAL);
  }
}
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', serve);
else self.onmessage = (event) => serve(event.data);
`;

interface NodeWorkerThreads {
  Worker: new (
    source: string,
    options: { eval: true },
  ) => { postMessage(message: unknown): void; unref(): void };
}

/** A worker running WORKER_SOURCE: Node's `worker_threads`, else a browser's Web Worker. */
function startWorker(): { postMessage(message: unknown): void } {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } })
    .process;
  const workerThreads = nodeProcess?.getBuiltinModule?.('node:worker_threads') as
    | NodeWorkerThreads
    | undefined;
  if (workerThreads) {
    const worker = new workerThreads.Worker(WORKER_SOURCE, { eval: true });
    // Parked workers must not keep a script from exiting.
    worker.unref();
    return worker;
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  return new Worker(url);
}

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
function canBlock(view: Int32Array): boolean {
  try {
    // The value differs from the one there, so this returns 'not-equal' at once where allowed.
    Atomics.wait(view, SIGNAL, Atomics.load(view, SIGNAL) + 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class GemmThreads {
  private readonly control: number;
  private readonly blocking: boolean;
  private tag = 0;

  /**
   * Starts `workers` workers on `memory`; `malloc` allocates in the heap (the control block and
   * each worker's packing buffers, `buffers()`). Tasks run on the calling thread even before the
   * workers are up: a worker joins the jobs posted after it started.
   */
  constructor(
    private readonly gemm: GemmThreadExports,
    private readonly memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    workers: number,
    malloc: (bytes: number) => number,
    buffers: () => PackingBuffers,
    private readonly own: PackingBuffers,
  ) {
    this.control = malloc(CONTROL_BYTES);
    new Int32Array(memory.buffer, this.control, 4).fill(0);
    this.blocking = canBlock(this.view());
    for (let i = 0; i < workers; i++) {
      startWorker().postMessage({ module, memory, control: this.control, ...buffers() });
    }
  }

  /** The control block's first words; taken anew each time, as the heap may have grown. */
  private view(): Int32Array {
    return new Int32Array(this.memory.buffer, this.control, 4);
  }

  /** Runs `tasks` (at most MAX_TASKS) across the threads; returns when all are done. */
  run(tasks: readonly Task[]): void {
    const heap = new Int32Array(this.memory.buffer);
    const first = (this.control + 16) / 4;
    for (const [i, task] of tasks.entries()) heap.set(task, first + i * TASK_INTS);
    const view = this.view();
    this.tag = (this.tag + 1) & 0xfff;
    Atomics.store(view, DONE, 0);
    Atomics.store(view, CLAIM, (this.tag << 20) | tasks.length);
    Atomics.add(view, SIGNAL, 1);
    Atomics.notify(view, SIGNAL);
    this.gemm.run_tasks(this.control, this.own.packedA, this.own.packedB, this.own.edge);
    let done = Atomics.load(view, DONE);
    while (done < tasks.length) {
      if (this.blocking) Atomics.wait(view, DONE, done);
      done = Atomics.load(view, DONE);
    }
  }
}
