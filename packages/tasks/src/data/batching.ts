import { Rng } from '@lgpt/core';

/**
 * Seeded shuffling and batching. Orders come from `Rng` (drawn in JavaScript), so a seed gives the
 * same batches on every backend, and an epoch's order depends only on (seed, epoch): a resumed run
 * sees the same batches as an uninterrupted one.
 */

/** The generator for one epoch's order. */
export function epochRng(seed: number, epoch: number): Rng {
  return new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
}

/** A shuffled copy of `items` (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return rng.shuffle([...items]);
}

export interface BatchOptions {
  /** Shuffle first with this generator; default: keep the order. */
  rng?: Rng;
  /** Leave out a last batch smaller than `batchSize` (default false: keep it). */
  dropLast?: boolean;
}

/** How many batches `batches(items, batchSize, options)` yields. */
export function batchCount(length: number, batchSize: number, dropLast = false): number {
  checkBatchSize(batchSize);
  return dropLast ? Math.floor(length / batchSize) : Math.ceil(length / batchSize);
}

/** Consecutive batches of `batchSize` items, like a PyTorch `DataLoader`. */
export function batches<T>(
  items: readonly T[],
  batchSize: number,
  options: BatchOptions = {},
): T[][] {
  const count = batchCount(items.length, batchSize, options.dropLast);
  const order = options.rng ? shuffled(items, options.rng) : items;
  return Array.from({ length: count }, (_, b) => order.slice(b * batchSize, (b + 1) * batchSize));
}

export interface SplitOptions {
  /** Share of the items that go to `dev`, in (0, 1); rounded to the nearest count. */
  devFraction: number;
  seed: number;
}

/** A seeded random train/dev split (e.g. of the Quora dev file when there is no train file). */
export function trainDevSplit<T>(
  items: readonly T[],
  { devFraction, seed }: SplitOptions,
): { train: T[]; dev: T[] } {
  if (!(devFraction > 0 && devFraction < 1)) {
    throw new Error(`devFraction must be in (0, 1), got ${devFraction}`);
  }
  const devSize = Math.round(items.length * devFraction);
  if (devSize === 0 || devSize === items.length) {
    throw new Error(
      `devFraction ${devFraction} of ${items.length} items leaves train or dev empty`,
    );
  }
  const order = shuffled(items, new Rng(seed));
  return { train: order.slice(devSize), dev: order.slice(0, devSize) };
}

/**
 * At most `limit` items: a seeded random subset, kept in file order. Not the first `limit`: the
 * CS224N files are sorted (SST's first 2000 training sentences are mostly positive).
 */
export function seededSubset<T>(items: readonly T[], limit: number | undefined, seed: number): T[] {
  if (limit === undefined || limit >= items.length) return [...items];
  const chosen = shuffled([...items.keys()], new Rng(seed)).slice(0, limit);
  return chosen.sort((a, b) => a - b).map((i) => items[i]);
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  }
}
