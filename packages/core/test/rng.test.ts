import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, not typed
import { assembleKeepBits } from '../scripts/build-gemm.mjs';
import {
  getDefaultRng,
  glorot,
  initBackend,
  kaimingUniform,
  manualSeed,
  Rng,
} from '../src/index.js';

beforeAll(() => initBackend('cpu'));

describe('Rng', () => {
  it('repeats a stream for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.random());
    expect(Array.from({ length: 100 }, () => b.random())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.random())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('keepBits decides random() >= p draw for draw, four streams at once for large masks', () => {
    // Past keep-bits.wat's threshold (2¹⁶), not a multiple of 4, and past its 4 Mi-flag chunks.
    for (const [size, p] of [
      [65536, 0.1],
      [65539, 0.5],
      [(1 << 22) + 70001, 0.25],
    ] as const) {
      const bits = new Rng(11).keepBits(size, p);
      const twin = new Rng(11);
      let mismatch = -1;
      for (let i = 0; i < size && mismatch < 0; i++) {
        if (bits[i] !== (twin.random() >= p ? 1 : 0)) mismatch = i;
      }
      expect(mismatch, `size ${size}: first flag that differs`).toBe(-1);
      const after = new Rng(11);
      after.keepBits(size, p);
      expect(after.getState()).toEqual(twin.getState());
    }
  });

  it('keepBits keeps nothing for p within 2⁻³² of 1, and still moves the stream on', () => {
    const rng = new Rng(4);
    expect(rng.keepBits(70000, 1 - 2 ** -40).every((b) => b === 0)).toBe(true);
    const twin = new Rng(4);
    for (let i = 0; i < 70000; i++) twin.random();
    expect(rng.getState()).toEqual(twin.getState());
  });

  it('keep-bits-binary.ts is keep-bits.wat assembled', async () => {
    const committed = await readFile(
      new URL('../src/keep-bits-binary.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(await assembleKeepBits());
  });

  it('draws normals with the requested moments', () => {
    const values = new Rng(3).normalArray(200_000, 2, 0.5);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(2, 2);
    expect(std).toBeCloseTo(0.5, 2);
  });

  it('manualSeed resets the default generator that modules share', () => {
    const rng = getDefaultRng();
    manualSeed(11);
    const first = rng.random();
    manualSeed(11);
    expect(rng.random()).toBe(first);
  });

  it('getState/setState continue a stream exactly, through JSON, cached normal included', () => {
    const rng = new Rng(7);
    rng.keepBits(1001, 0.3);
    rng.normal(); // leaves the second Box-Muller value cached
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const expected = [rng.normal(), rng.random(), ...rng.keepBits(64, 0.5)];
    const resumed = new Rng(1);
    resumed.setState(saved);
    expect([resumed.normal(), resumed.random(), ...resumed.keepBits(64, 0.5)]).toEqual(expected);
  });

  it('setState rejects a state that is not one', () => {
    const rng = new Rng(7);
    const words = rng.getState().words;
    expect(() => rng.setState({ words: [1, 2, 3], spareNormal: null } as never)).toThrow(
      /words must be four integers/,
    );
    expect(() => rng.setState({ words: [1, 2, 3, 2 ** 32], spareNormal: null })).toThrow(
      /words must be four integers/,
    );
    expect(() => rng.setState({ words: [0, 0, 0, 0], spareNormal: null })).toThrow(/all zero/);
    expect(() => rng.setState({ words, spareNormal: Number.NaN })).toThrow(/spareNormal/);
  });

  it('kaimingUniform(a=√5) stays within PyTorch bound 1/√fanIn', async () => {
    const w = kaimingUniform([64, 100], 100, Math.sqrt(5), new Rng(0));
    const max = Math.max(...Array.from(await w.data(), Math.abs));
    expect(max).toBeLessThanOrEqual(0.1);
    expect(max).toBeGreaterThan(0.095);
    w.dispose();
  });

  it('glorot stays within √(6 / (fanIn + fanOut)) of the last two axes', async () => {
    // [1, 4, 20]: fans 4 and 20, so the bound is 0.5 (the leading axis does not count).
    const w = glorot([1, 4, 20], new Rng(0));
    const max = Math.max(...Array.from(await w.data(), Math.abs));
    expect(max).toBeLessThanOrEqual(0.5);
    expect(max).toBeGreaterThan(0.45);
    w.dispose();
  });
});
