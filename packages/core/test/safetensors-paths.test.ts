import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  initBackend,
  openSafetensors,
  resolveShardLocation,
  writeSafetensors,
} from '../src/index.js';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'lgpt-safetensors-paths-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sharded index: shard names stay next to the index', () => {
  const refused: [string, RegExp][] = [
    ['../outside.safetensors', /'\.\.' would leave the checkpoint folder/],
    ['shards/../../outside.safetensors', /'\.\.' would leave/],
    ['..\\outside.safetensors', /'\.\.' would leave/],
    ['/etc/passwd', /not an absolute path/],
    ['\\\\server\\share\\x.safetensors', /not an absolute path/],
    ['C:\\models\\x.safetensors', /not an absolute path/],
    ['file:///etc/passwd', /may not be a URL/],
    ['https://elsewhere.example/x.safetensors', /may not be a URL/],
  ];

  it('refuses, on disk, absolute names and names with ..', async () => {
    const outside = join(dir, 'outside.safetensors');
    const t = tf.tensor1d([1]);
    await writeSafetensors(outside, { w: t }, { overwrite: true });
    t.dispose();
    const ckpt = join(dir, 'ckpt');
    await mkdir(ckpt, { recursive: true });
    const index = join(ckpt, 'model.safetensors.index.json');
    for (const [shard, why] of [[outside, /not an absolute path/], ...refused] as const) {
      await writeFile(index, JSON.stringify({ weight_map: { w: shard } }));
      const error = await openSafetensors(index).catch((e: Error) => e);
      expect(error, shard).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(
        `${index}: weight_map["w"] = ${JSON.stringify(shard)} is refused`,
      );
      expect((error as Error).message).toMatch(why);
    }
  });

  it('refuses a weight_map value that is not a string, naming index and key', async () => {
    const index = join(dir, 'typed.safetensors.index.json');
    for (const value of [5, null, ['a.safetensors'], { f: 1 }, '']) {
      await writeFile(index, JSON.stringify({ weight_map: { 'h.0.w': value } }));
      await expect(openSafetensors(index)).rejects.toThrow(
        `${index}: weight_map["h.0.w"] must be a shard file name (a non-empty string), got ${JSON.stringify(value)}`,
      );
    }
    await writeFile(index, JSON.stringify({ weight_map: ['a'] }));
    await expect(openSafetensors(index)).rejects.toThrow(/index has no 'weight_map' object/);
  });

  it('keeps an index fetched from a URL on its own host', () => {
    const index = 'https://models.example/gpt2/model.safetensors.index.json';
    expect(resolveShardLocation(index, 'model-00001-of-00002.safetensors', 'w')).toBe(
      'https://models.example/gpt2/model-00001-of-00002.safetensors',
    );
    expect(resolveShardLocation(index, 'sub/a b.safetensors', 'w')).toBe(
      'https://models.example/gpt2/sub/a%20b.safetensors',
    );
    for (const [shard, why] of [
      ...refused,
      ['//evil.example/x.safetensors', /not an absolute path/],
      // The URL parser drops a leading tab: only the origin check sees this one.
      ['\t//evil.example/x.safetensors', /points to another host than https:\/\/models\.example/],
    ] as const) {
      expect(() => resolveShardLocation(index, shard, 'w'), shard).toThrow(why);
    }
    // Percent-encoded dots are not a parent segment to a URL resolver: the shard stays below /gpt2/.
    expect(resolveShardLocation(index, '%2e%2e/x.safetensors', 'w')).toMatch(
      /^https:\/\/models\.example\//,
    );
  });

  it('resolves a shard next to a relative or Windows-style index path', () => {
    expect(resolveShardLocation('model.safetensors.index.json', 'a.safetensors', 'w')).toBe(
      'a.safetensors',
    );
    expect(resolveShardLocation('C:\\m\\model.safetensors.index.json', 'a.safetensors', 'w')).toBe(
      'C:\\m\\a.safetensors',
    );
  });
});

describe('safetensors files that are directories', () => {
  it('reading a directory names the path', async () => {
    const folder = join(dir, 'a-folder.safetensors');
    await mkdir(folder, { recursive: true });
    await expect(openSafetensors(folder)).rejects.toThrow(
      `cannot open safetensors file '${folder}': it is a directory`,
    );
  });

  it('writing onto a directory is refused up front and leaves no .tmp file', async () => {
    const folder = join(dir, 'target');
    await mkdir(folder, { recursive: true });
    const t = tf.tensor1d([1, 2]);
    for (const overwrite of [false, true]) {
      await expect(writeSafetensors(folder, { t }, { overwrite })).rejects.toThrow(
        `${folder} is a directory; writeSafetensors writes a file`,
      );
    }
    t.dispose();
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
