import '@lgpt/core/register-gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite copies the binaries into the build and hands out their URLs; the wasm backend fetches
// them at run time and would otherwise look for them next to the page.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'webgpu' | 'wasm';

export interface ActiveBackend {
  name: BackendName;
  /** What runs WebGPU (e.g. `google swiftshader`), when it is the active backend. */
  adapter?: string;
  /** Why WebGPU is not in use, when the page fell back to wasm. */
  fallbackReason?: string;
  /** wasm: the threads it runs (lgpt's GEMM and XNNPACK), more than 1 when cross-origin isolated. */
  threads?: number;
}

/** tfjs-wasm's threaded build starts this many workers up front. */
const MAX_THREADS = 8;

/**
 * The part of the WebGPU API used here. TypeScript's DOM library does not declare it, and the
 * @webgpu/types that tfjs-backend-webgpu pulls in predates `GPUAdapter.info`.
 */
interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string } } | null>;
}

type WebGPUProbe = { adapter: string; problem?: undefined } | { problem: string };

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/**
 * Starts WebGPU when the browser offers an adapter, else wasm. `requested` forces one; a forced
 * WebGPU that cannot start is an error, never a silent fallback.
 */
export async function startBackend(requested: BackendName | 'auto'): Promise<ActiveBackend> {
  if (requested === 'wasm') return startWasm();
  const probe = await probeWebGPU();
  if (probe.problem === undefined && (await tf.setBackend('webgpu'))) {
    await tf.ready();
    return { name: 'webgpu', adapter: probe.adapter };
  }
  const problem = probe.problem ?? 'the tfjs WebGPU backend failed to initialise (see the console)';
  if (requested === 'webgpu') throw new Error(`backend=webgpu was requested, but ${problem}`);
  return { ...(await startWasm()), fallbackReason: problem };
}

/**
 * wasm on every core when the page is cross-origin isolated (tfjs then loads its threaded build),
 * else one thread. tfjs allows at most half of `navigator.hardwareConcurrency` ("2 threads per
 * core"), so the page reports twice the cores while the backend starts, as `initBackend` does in
 * Node.
 */
async function startWasm(): Promise<ActiveBackend> {
  const cores = navigator.hardwareConcurrency || 1;
  setThreadsCount(crossOriginIsolated ? Math.min(cores, MAX_THREADS) : 1);
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  try {
    if (!(await tf.setBackend('wasm'))) {
      throw new Error('the tfjs wasm backend failed to initialise (see the console)');
    }
  } finally {
    // Back to Navigator.prototype's own getter.
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
  await tf.ready();
  return { name: 'wasm', threads: getThreadsCount() };
}

async function probeWebGPU(): Promise<WebGPUProbe> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (gpu === undefined) {
    return {
      problem: isSecureContext
        ? 'this browser has no WebGPU (navigator.gpu is missing)'
        : 'WebGPU needs a secure context (https or localhost)',
    };
  }
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (adapter === null) return { problem: 'the browser offers no WebGPU adapter' };
  const { vendor, architecture } = adapter.info ?? {};
  return { adapter: [vendor, architecture].filter(Boolean).join(' ') || 'unnamed adapter' };
}
