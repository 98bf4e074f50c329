import '@lgpt/core/register-gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { shareWasmIdentity } from '@lgpt/core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
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
}

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

async function startWasm(): Promise<ActiveBackend> {
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('the tfjs wasm backend failed to initialise (see the console)');
  }
  await tf.ready();
  // What initBackend does in Node: autodiff's clones share buffers instead of copying them.
  shareWasmIdentity();
  return { name: 'wasm' };
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
