import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseOverwrite, sameShape } from '../src/index.js';

describe('refuseOverwrite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgpt-overwrite-'));
    await writeFile(join(dir, 'existing.txt'), 'keep me');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names the first existing file and how to replace it', async () => {
    const paths = [join(dir, 'new.txt'), join(dir, 'existing.txt')];
    await expect(refuseOverwrite(paths, false)).rejects.toThrow(
      `${join(dir, 'existing.txt')} already exists; pass { overwrite: true } to replace it`,
    );
    await expect(refuseOverwrite(paths, undefined)).rejects.toThrow('already exists');
  });

  it('lets new files and an asked-for overwrite through', async () => {
    await expect(refuseOverwrite([join(dir, 'new.txt')], false)).resolves.toBeUndefined();
    await expect(refuseOverwrite([join(dir, 'existing.txt')], true)).resolves.toBeUndefined();
  });
});

describe('sameShape', () => {
  it('compares axis by axis', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([], [])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([6], [2, 3])).toBe(false);
    expect(sameShape([2, 3], [2, 3, 1])).toBe(false);
  });
});
