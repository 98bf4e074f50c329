import { readFile } from 'node:fs/promises';
import { fixturePath } from '@lgpt/core/testing';
import { describe, expect, it } from 'vitest';
import { adaptiveGrid, quantileIndices } from '../src/grid.js';

interface LinspaceFixture {
  generator: string;
  cases: { rows: number; count: number; indices: number[] }[];
}

describe('update_grid knot helpers', () => {
  it('picks the same quantile rows as torch.linspace(..., dtype=int64)', async () => {
    const url = fixturePath('kan', 'torch-linspace-int64.json');
    const fixture = JSON.parse(await readFile(url, 'utf8')) as LinspaceFixture;
    expect(fixture.cases.length).toBeGreaterThan(0);
    for (const { rows, count, indices } of fixture.cases) {
      expect(Array.from(quantileIndices(rows, count)), `rows ${rows}, count ${count}`).toEqual(
        indices,
      );
    }
  });

  it('gives strictly increasing knots spanning the data', () => {
    const rows = 9;
    const x = Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 2)));
    const [gridSize, order] = [4, 3];
    const grid = adaptiveGrid(x, rows, 2, gridSize, order, 0.02, 0.01);
    const knots = gridSize + 2 * order + 1;
    for (let f = 0; f < 2; f++) {
      const row = grid.subarray(f * knots, (f + 1) * knots);
      for (let j = 1; j < knots; j++) expect(row[j]).toBeGreaterThan(row[j - 1]);
      const column = Array.from({ length: rows }, (_, r) => x[r * 2 + f]);
      expect(row[order]).toBeLessThanOrEqual(Math.min(...column));
      expect(row[order + gridSize]).toBeGreaterThanOrEqual(Math.max(...column));
    }
  });
});
