import { Rng } from '@lgpt/core';
import { describe, expect, it } from 'vitest';
import { seededSubset } from '../src/data/batching.js';
import {
  accuracy,
  batchCount,
  batches,
  epochRng,
  macroF1,
  shuffled,
  trainDevSplit,
} from '../src/index.js';

describe('classification metrics (sklearn accuracy_score, f1_score macro)', () => {
  it('accuracy is the share of exact matches', () => {
    expect(accuracy([0, 0, 1, 1, 2], [0, 1, 1, 1, 0])).toBe(3 / 5);
    expect(accuracy(['yes', 'no'], ['yes', 'yes'])).toBe(0.5);
  });

  it('macro F1 averages per-class F1 over every true or predicted class', () => {
    // class 0: tp 1 fp 1 fn 1 → 1/2; class 1: tp 2 fp 1 → 4/5; class 2: never predicted → 0.
    expect(macroF1([0, 0, 1, 1, 2], [0, 1, 1, 1, 0])).toBeCloseTo((0.5 + 0.8 + 0) / 3, 15);
    // A class only predicted (3) counts with F1 0; class 0: tp 1 fn 1 → 2/3.
    expect(macroF1([0, 0], [0, 3])).toBeCloseTo(1 / 3, 15);
    expect(macroF1(Int32Array.from([8505, 3919]), [8505, 3919])).toBe(1);
  });

  it('rejects length mismatches and empty inputs', () => {
    expect(() => accuracy([1, 2], [1])).toThrow('accuracy: 2 true labels but 1 predictions');
    expect(() => macroF1([], [])).toThrow('macroF1: no labels given');
  });
});

describe('seeded shuffling and batching', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);

  it('batches in order like a DataLoader, keeping or dropping the short last batch', () => {
    expect(batches(items, 4)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(batches(items, 4, { dropLast: true })).toHaveLength(2);
    expect(batchCount(10, 4)).toBe(3);
    expect(batchCount(10, 4, true)).toBe(2);
    expect(() => batches(items, 0)).toThrow('batch size must be a positive integer, got 0');
  });

  it('a (seed, epoch) pair always gives the same order; epochs differ', () => {
    const order = (epoch: number) => batches(items, 3, { rng: epochRng(7, epoch) }).flat();
    expect(order(0)).toEqual(order(0));
    expect(order(0)).not.toEqual(order(1));
    expect([...order(1)].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled(items, new Rng(3))).toEqual(shuffled(items, new Rng(3)));
    expect(items).toEqual(Array.from({ length: 10 }, (_, i) => i)); // input left alone
  });

  it('trainDevSplit is seeded, disjoint and complete', () => {
    const { train, dev } = trainDevSplit(items, { devFraction: 0.3, seed: 1 });
    expect(dev).toHaveLength(3);
    expect([...train, ...dev].sort((a, b) => a - b)).toEqual(items);
    expect(trainDevSplit(items, { devFraction: 0.3, seed: 1 })).toEqual({ train, dev });
    expect(() => trainDevSplit(items, { devFraction: 0.01, seed: 1 })).toThrow('empty');
  });
});

describe('seededSubset', () => {
  it('takes a seeded random subset in file order, not the first items', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const a = seededSubset(items, 10, 7);
    expect(a).toHaveLength(10);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(a).toEqual(seededSubset(items, 10, 7));
    expect(a).not.toEqual(items.slice(0, 10));
    expect(seededSubset(items, undefined, 7)).toEqual(items);
    expect(seededSubset(items, 500, 7)).toEqual(items);
  });
});
