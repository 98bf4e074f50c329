import * as tf from '@tensorflow/tfjs-core';
import { shareWasmIdentity } from './kernels/wasm/identity.js';
import { setPackedWeightBytes } from './kernels/wasm/packed-weights.js';
import {
  requestedWasmThreads,
  startWasmThreads,
  threadsChosen,
  type WasmBackendModule,
  wasmThreads,
} from './wasm-threads.js';

export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';
export type WebGPUAdapterChoice = 'auto' | 'default' | 'swiftshader' | 'opengl';

export interface InitBackendOptions {
  /**
   * Which WebGPU implementation Dawn uses in Node: the platform default (a real GPU), SwiftShader
   * (Vulkan on the CPU), or Mesa OpenGL (compatibility mode). `auto` (default) tries them in that
   * order. The environment variable `LGPT_WEBGPU_ADAPTER` overrides it.
   */
  webgpuAdapter?: WebGPUAdapterChoice;
  /** Folder holding the tfjs `.wasm` binaries; default: the installed @tensorflow/tfjs-backend-wasm. */
  wasmPaths?: string;
  /**
   * wasm in Node: threads for lgpt's GEMM (default: the available cores, at most 8; the
   * environment variable `LGPT_WASM_THREADS` sets the default, `1` for the single-threaded build).
   * tfjs-backend-wasm runs one thread in Node; its threaded build is started as described in
   * `wasm-threads.ts`, XNNPACK (tfjs's own kernels) keeping one thread. Only the first
   * `initBackend('wasm')` of a process can choose; `wasmThreads()` tells the count running.
   */
  threads?: number;
  /**
   * wasm: replace tfjs-backend-wasm's Identity kernel, which copies its input, with one that
   * shares the buffer (as cpu and webgpu do). Autodiff clones every tensor it saves, so this
   * halves a training step's activation memory on wasm. Default true; false restores tfjs's own.
   * The only tfjs kernel lgpt replaces (see `shareWasmIdentity`).
   */
  shareWasmIdentity?: boolean;
  /**
   * wasm: heap bytes lgpt's GEMM may spend keeping weights packed (default 1 GiB; 0 keeps none).
   * Outside gradient computation, a weight multiplied by fewer than 256 rows (a prompt, a short
   * batch) is packed once and its copy kept until the weight is disposed or reassigned, as
   * XNNPACK and ONNX Runtime keep theirs: a second copy of the weights, for up to a fifth off such
   * a forward's products.
   */
  packedWeightBytes?: number;
}

/** Where Debian's chromium package (and others) put SwiftShader's Vulkan ICD manifest. */
const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

const INSTALL_HINT: Record<BackendName, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgpu: '@tensorflow/tfjs-backend-webgpu webgpu',
  tensorflow: '@tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu for CUDA)',
};

/**
 * Selects and initialises a tfjs backend in Node, importing it on demand (backends are optional
 * peer dependencies), and registers tfjs-core's gradients so `tf.grad`, `variableGrads` and the
 * optimizers work with no other import. Browser code uses `tf.setBackend` directly.
 */
export async function initBackend(
  name: BackendName,
  options: InitBackendOptions = {},
): Promise<void> {
  await ensureGradients();
  switch (name) {
    case 'cpu':
      await importBackend(name, '@tensorflow/tfjs-backend-cpu');
      break;
    case 'wasm': {
      const wasm = (await importBackend(
        name,
        '@tensorflow/tfjs-backend-wasm',
      )) as WasmBackendModule;
      const threads = await requestedWasmThreads(options.threads);
      // Not `tf.findBackend`: it starts the backend, before the paths and threads are set.
      if (tf.engine().registry.wasm === undefined) {
        const dir = await installedWasmDir();
        wasm.setWasmPaths(options.wasmPaths ?? `${dir}/dist/`);
        if (threads > 1) await startWasmThreads(wasm, dir, threads);
      } else if (threadsChosen(options.threads) && threads > 1 && wasmThreads() !== threads) {
        throw new Error(
          `initBackend('wasm', { threads: ${threads} }): the wasm backend already runs ${wasmThreads()} thread(s); threads can only be chosen by the first initBackend('wasm')`,
        );
      }
      shareWasmIdentity(options.shareWasmIdentity ?? true);
      if (options.packedWeightBytes !== undefined) setPackedWeightBytes(options.packedWeightBytes);
      break;
    }
    case 'webgpu':
      if (tf.findBackendFactory('webgpu') === null) {
        await installNavigatorGpu(
          (process.env.LGPT_WEBGPU_ADAPTER as WebGPUAdapterChoice | undefined) ??
            options.webgpuAdapter ??
            'auto',
        );
        await importBackend(name, '@tensorflow/tfjs-backend-webgpu');
      }
      break;
    case 'tensorflow':
      if (tf.findBackendFactory('tensorflow') === null) {
        try {
          await importOptional('@tensorflow/tfjs-node-gpu');
        } catch {
          await importBackend(name, '@tensorflow/tfjs-node');
        }
      }
      break;
    default:
      throw new Error(`unknown backend '${name}': expected cpu, wasm, webgpu or tensorflow`);
  }
  if (!(await tf.setBackend(name))) {
    throw new Error(
      `backend '${name}' is installed but failed to initialise (see the warning above)`,
    );
  }
  await tf.ready();
}

/** Registers tfjs-core's gradient functions once, unless something (e.g. @tensorflow/tfjs) did. */
export async function ensureGradients(): Promise<void> {
  if (tf.getGradient('Abs') === undefined) await import('./register-gradients.js');
}

/** A variable specifier keeps bundlers from trying to resolve optional peers at build time. */
function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

async function importBackend(name: BackendName, specifier: string): Promise<unknown> {
  try {
    return await importOptional(specifier);
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    const notFound =
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ||
      /Cannot find (module|package)|Could not resolve|Failed to (load|resolve)/.test(message);
    if (notFound && message.includes(specifier)) {
      throw new Error(
        `backend '${name}' is not installed: add ${INSTALL_HINT[name]} to your project`,
      );
    }
    throw error;
  }
}

/** The installed @tensorflow/tfjs-backend-wasm package folder. */
async function installedWasmDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname } = await import('node:path');
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

interface DawnModule {
  create(flags: string[]): { requestAdapter(options?: object): Promise<unknown> };
  globals: Record<string, unknown>;
}

/**
 * tfjs-backend-webgpu looks for `navigator.gpu` when it is imported, so Dawn must be in place
 * first. Each adapter kind gets its own Dawn instance: the Vulkan loader reads VK_ICD_FILENAMES
 * when an instance is created.
 */
async function installNavigatorGpu(choice: WebGPUAdapterChoice): Promise<void> {
  const dawn = (await importBackend('webgpu', 'webgpu')) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const attempts: [WebGPUAdapterChoice, () => Promise<{ gpu: object; extra: object } | null>][] = [
    ['default', async () => ({ gpu: dawn.create([]), extra: {} })],
    [
      'swiftshader',
      async () => {
        if (!process.env.VK_ICD_FILENAMES) {
          const { existsSync } = await import('node:fs');
          const icd = SWIFTSHADER_ICDS.find((p) => existsSync(p));
          if (!icd) return null;
          process.env.VK_ICD_FILENAMES = icd;
        }
        return { gpu: dawn.create([]), extra: {} };
      },
    ],
    [
      'opengl',
      async () => {
        process.env.EGL_PLATFORM ??= 'surfaceless';
        return { gpu: dawn.create(['backend=opengl']), extra: { featureLevel: 'compatibility' } };
      },
    ],
  ];
  const tried: string[] = [];
  for (const [kind, make] of attempts) {
    if (choice !== 'auto' && choice !== kind) continue;
    const candidate = await make();
    const gpu = candidate?.gpu as { requestAdapter(o?: object): Promise<unknown> } | undefined;
    if (candidate && gpu && (await gpu.requestAdapter(candidate.extra))) {
      const extra = candidate.extra;
      const navigatorGpu = Object.create(gpu, {
        requestAdapter: { value: (o?: object) => gpu.requestAdapter({ ...o, ...extra }) },
      });
      const nav = (globalThis as { navigator?: object }).navigator ?? {};
      Object.defineProperty(globalThis, 'navigator', {
        value: Object.assign(Object.create(nav), { gpu: navigatorGpu }),
        configurable: true,
        writable: true,
      });
      return;
    }
    tried.push(kind);
  }
  throw new Error(
    `no WebGPU adapter found (tried: ${tried.join(', ')}). For a software GPU install Chromium (SwiftShader: ` +
      'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json) or Mesa EGL (libegl1 libegl-mesa0 libgl1-mesa-dri) ' +
      'and set LGPT_WEBGPU_ADAPTER=swiftshader|opengl',
  );
}
