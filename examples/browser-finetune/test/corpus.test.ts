import { Rng } from '@lgpt/core';
import { describe, expect, it } from 'vitest';
import { CORPUS, SONNETS, sampleWindows } from '../src/corpus.js';
import sonnetsFile from '../src/sonnets.txt?raw';

describe('bundled sonnets', () => {
  it('has one sonnet per number line, the provenance header dropped', () => {
    const numbers = sonnetsFile.split('\n').filter((line) => /^\d+$/.test(line.trim()));
    expect(SONNETS).toHaveLength(numbers.length);
    const header = sonnetsFile.slice(0, sonnetsFile.indexOf(`\n${numbers[0]}\n`)).trim();
    expect(CORPUS).not.toContain(header.split('\n')[0]);
    expect(CORPUS.startsWith(SONNETS[0])).toBe(true);
  });
});

describe('sampleWindows', () => {
  const tokens = Array.from({ length: 50 }, (_, i) => 100 + i);

  it('takes runs of consecutive tokens from anywhere in the stream', () => {
    const windows = sampleWindows(tokens, 200, 8, new Rng(0));
    expect(windows).toHaveLength(200);
    for (const window of windows) {
      expect(window).toHaveLength(8);
      expect(window).toEqual(tokens.slice(window[0] - 100, window[0] - 100 + 8));
    }
    const starts = new Set(windows.map((w) => w[0]));
    expect(starts.has(tokens[0])).toBe(true);
    expect(starts.has(tokens[tokens.length - 8])).toBe(true);
  });

  it('rejects windows longer than the stream', () => {
    expect(() => sampleWindows(tokens, 1, 51, new Rng(0))).toThrow(/50 tokens.*51/);
  });
});
