/**
 * Test helpers shared by every lgpt package: run one suite on each available backend (like tfjs's
 * `describeWithFlags(…, ALL_ENVS)`), compare tensors with tolerances, and assert no tensor leaks.
 * Backends come from `LGPT_TEST_BACKENDS` (comma-separated; default `cpu,wasm`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';
import { type BackendName, initBackend } from './backend.js';
import { sameShape } from './shape.js';

const KNOWN: BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];

export function testBackends(): BackendName[] {
  const raw = process.env.LGPT_TEST_BACKENDS ?? 'cpu,wasm';
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!KNOWN.includes(n as BackendName)) {
      throw new Error(
        `LGPT_TEST_BACKENDS names unknown backend '${n}' (known: ${KNOWN.join(', ')})`,
      );
    }
  }
  return names as BackendName[];
}

/**
 * A path in the repository's golden fixtures (`fixtures/`, provenance in `fixtures/README.md`),
 * e.g. `fixturePath('gpt2', 'model')`. The folder is found from the working directory upwards
 * (tests run inside the repository); `LGPT_FIXTURES` names it explicitly.
 */
export function fixturePath(...parts: string[]): string {
  return join(fixturesRoot(), ...parts);
}

let root: string | undefined;

function fixturesRoot(): string {
  if (process.env.LGPT_FIXTURES) return process.env.LGPT_FIXTURES;
  if (root) return root;
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml')) && existsSync(join(dir, 'fixtures'))) {
      root = join(dir, 'fixtures');
      return root;
    }
    if (dirname(dir) === dir) {
      throw new Error(
        `no fixtures/ folder in a pnpm workspace above ${process.cwd()}; set LGPT_FIXTURES`,
      );
    }
  }
}

export interface DescribeBackendsOptions {
  /** Restrict the suite to these backends (intersected with `LGPT_TEST_BACKENDS`). */
  only?: BackendName[];
}

/** Declares `suite` once per test backend, switching to that backend before its tests run. */
export function describeBackends(
  name: string,
  suite: (backend: BackendName) => void,
  options: DescribeBackendsOptions = {},
): void {
  for (const backend of testBackends()) {
    if (options.only && !options.only.includes(backend)) continue;
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await initBackend(backend);
      }, 120_000);
      suite(backend);
    });
  }
}

type Numeric = tf.Tensor | ArrayLike<number> | number | number[][] | number[][][];

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** Named in the failure message. */
  label?: string;
}

/**
 * Fails unless |actual − expected| ≤ atol + rtol·|expected| everywhere (and shapes agree).
 * Async because WebGPU in Node can only read tensors asynchronously.
 */
export async function expectClose(
  actual: Numeric,
  expected: Numeric,
  options: CloseOptions = {},
): Promise<void> {
  const { atol = 1e-5, rtol = 0, label = 'value' } = options;
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    if (!sameShape(actual.shape, expected.shape))
      throw new Error(`${label}: shape [${actual.shape}] != expected [${expected.shape}]`);
  }
  const a = await flatten(actual);
  const e = await flatten(expected);
  if (a.length !== e.length)
    throw new Error(`${label}: ${a.length} values != expected ${e.length}`);
  let worst = -1;
  let worstExcess = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i] - e[i]);
    if (Number.isNaN(a[i]) !== Number.isNaN(e[i])) {
      throw new Error(`${label}: NaN mismatch at flat index ${i}: got ${a[i]}, expected ${e[i]}`);
    }
    if (Number.isNaN(diff)) continue;
    maxDiff = Math.max(maxDiff, diff);
    const excess = diff - (atol + rtol * Math.abs(e[i]));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${label}: max |diff| ${maxDiff.toExponential(3)} exceeds atol ${atol} rtol ${rtol}; worst at flat index ${worst}: got ${a[worst]}, expected ${e[worst]}`,
    );
  }
}

async function flatten(x: Numeric): Promise<number[]> {
  if (x instanceof tf.Tensor) return Array.from(await x.data());
  if (typeof x === 'number') return [x];
  if (Array.isArray(x)) return (x as unknown[]).flat(Number.POSITIVE_INFINITY) as number[];
  return Array.from(x as ArrayLike<number>);
}

/**
 * Runs `fn` and fails if more tensors are alive afterwards than before, not counting the tensors
 * it returns (a tensor, or tensors in arrays/objects, e.g. `{ logits, pastKeyValues }`).
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, label = 'operation'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const returned = new Set<number>();
  collectTensorIds(result, returned);
  const leaked = tf.memory().numTensors - before - returned.size;
  if (leaked !== 0) {
    throw new Error(`${label} leaked ${leaked} tensor(s) besides the ${returned.size} it returned`);
  }
  return result;
}

function collectTensorIds(value: unknown, ids: Set<number>): void {
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) ids.add(value.id);
  } else if (Array.isArray(value)) {
    for (const v of value) collectTensorIds(v, ids);
  } else if (
    value &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const v of Object.values(value)) collectTensorIds(v, ids);
  }
}

export {
  type MockHub,
  type MockHubOptions,
  type MockRepo,
  type SeenRequest,
  startMockHub,
} from './mock-hub.js';
