import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RepoCache } from '../src/hub/cache-layout.js';
import {
  type DownloadProgress,
  HubError,
  initBackend,
  openCheckpoint,
  openCheckpointSafetensors,
  resolveLocation,
  serializeSafetensors,
} from '../src/index.js';
import { type MockHub, startMockHub } from '../src/testing.js';

const TOKEN = 'hf_secret_test_token';
const CONFIG = JSON.stringify({ model_type: 'gpt2', n_embd: 4 });
let weights: Uint8Array;
/** Large enough that concurrent downloads of it interleave their writes. */
const big = Uint8Array.from({ length: 8 << 20 }, (_, i) => (i * 2654435761) >>> 24);
let shard1: Uint8Array;
let shard2: Uint8Array;
let hub: MockHub;
let root: string;
let cacheDir: string;

const index = JSON.stringify({
  metadata: { total_size: 48 },
  weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
});

beforeAll(async () => {
  await initBackend('cpu');
  const a = tf.tensor2d([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = tf.tensor1d([7, 8, 9, 10, 11, 12]);
  weights = await serializeSafetensors({ a, b }, { metadata: { format: 'pt' } });
  shard1 = await serializeSafetensors({ a });
  shard2 = await serializeSafetensors({ b });
  tf.dispose([a, b]);
  hub = await startMockHub({
    token: TOKEN,
    repos: {
      'acme/tiny': { files: { 'config.json': CONFIG, 'model.safetensors': weights } },
      'acme/gated': { gated: true, files: { 'config.json': CONFIG, 'model.safetensors': weights } },
      'acme/sharded': {
        files: {
          'model.safetensors.index.json': index,
          'model-00001-of-00002.safetensors': shard1,
          'model-00002-of-00002.safetensors': shard2,
        },
      },
      'acme/escape': {
        files: { 'model.safetensors.index.json': index.replace('model-00001', '../model-00001') },
      },
      'acme/loop': { redirectLoop: true, files: { 'config.json': CONFIG } },
      'acme/dropped': {
        dropConnection: ['model.safetensors'],
        files: { 'model.safetensors': weights },
      },
      'acme/big': { files: { 'big.bin': big } },
      'acme/corrupt': { corrupt: ['model.safetensors'], files: { 'model.safetensors': weights } },
    },
  });
  root = await mkdtemp(join(tmpdir(), 'lgpt-hub-'));
});
afterAll(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});
let run = 0;
function freshCache(): string {
  cacheDir = join(root, `cache-${run++}`);
  return cacheDir;
}
afterEach(() => {
  hub.requests.length = 0;
  vi.unstubAllEnvs();
});

const options = (extra: object = {}) => ({ endpoint: hub.endpoint, cacheDir, ...extra });

async function tensorsOf(files: Awaited<ReturnType<typeof openCheckpoint>>, name: string) {
  const file = await openCheckpointSafetensors(files, name);
  try {
    const out: Record<string, number[]> = {};
    for (const key of file.keys()) {
      const t = await file.tensor(key);
      out[key] = [...(await t.data())];
      t.dispose();
    }
    return out;
  } finally {
    await file.close();
  }
}

const EXPECTED = { a: [1, 2, 3, 4, 5, 6], b: [7, 8, 9, 10, 11, 12] };

async function errorOf(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe('resolveLocation', () => {
  it('takes an existing folder first, then a URL, a Hub id, a size name', async () => {
    await mkdir(join(root, 'acme', 'tiny'), { recursive: true });
    expect(await resolveLocation(join(root, 'acme', 'tiny'))).toEqual({
      kind: 'local',
      dir: join(root, 'acme', 'tiny'),
    });
    expect(await resolveLocation('https://example.com/m/')).toEqual({
      kind: 'url',
      base: 'https://example.com/m',
    });
    expect(await resolveLocation('acme/tiny')).toEqual({ kind: 'hub', repoId: 'acme/tiny' });
    expect(await resolveLocation('gpt2-medium')).toEqual({
      kind: 'hub',
      repoId: 'openai-community/gpt2-medium',
    });
    expect(await resolveLocation('distilgpt2')).toEqual({
      kind: 'hub',
      repoId: 'distilbert/distilgpt2',
    });
    await expect(resolveLocation('no-such-folder')).rejects.toThrow(/Hub id \(owner\/name\)/);
    await expect(resolveLocation('a/b/c')).rejects.toThrow(/^a\/b\/c: no such folder/);
    await expect(resolveLocation('./tiny')).rejects.toThrow(/^\.\/tiny: no such folder/);
  });

  it('prefers a relative folder named like a Hub id', async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(await resolveLocation('acme/tiny')).toEqual({ kind: 'local', dir: 'acme/tiny' });
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('Hub downloads into the huggingface_hub cache', () => {
  it('writes blobs, refs/main and relative snapshot symlinks as Python does', async () => {
    freshCache();
    const progress: DownloadProgress[] = [];
    const files = await openCheckpoint(
      'acme/tiny',
      options({ onProgress: (p: DownloadProgress) => progress.push(p) }),
    );
    expect(await files.text('config.json')).toBe(CONFIG);
    expect(await tensorsOf(files, 'model.safetensors')).toEqual(EXPECTED);

    const repo = join(cacheDir, 'models--acme--tiny');
    const commit = hub.commitOf('acme/tiny');
    expect(await readFile(join(repo, 'refs', 'main'), 'utf8')).toBe(commit);
    for (const file of ['config.json', 'model.safetensors']) {
      const pointer = join(repo, 'snapshots', commit, file);
      expect((await lstat(pointer)).isSymbolicLink()).toBe(true);
      expect(await readlink(pointer)).toBe(`../../blobs/${hub.etagOf('acme/tiny', file)}`);
    }
    expect((await readdir(join(repo, 'blobs'))).sort()).toEqual(
      [hub.etagOf('acme/tiny', 'config.json'), hub.etagOf('acme/tiny', 'model.safetensors')].sort(),
    );
    const last = progress.filter((p) => p.file === 'model.safetensors').at(-1);
    expect(last).toEqual({
      file: 'model.safetensors',
      loaded: weights.byteLength,
      total: weights.byteLength,
    });
  });

  it('asks only for metadata when the cache has the files, and nothing at all offline', async () => {
    const files = await openCheckpoint('acme/tiny', options());
    await files.text('config.json');
    await tensorsOf(files, 'model.safetensors');
    expect(hub.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    hub.requests.length = 0;
    const offline = await openCheckpoint('acme/tiny', options({ offline: true }));
    expect(await tensorsOf(offline, 'model.safetensors')).toEqual(EXPECTED);
    expect(hub.requests).toEqual([]);
  });

  it('reads the environment: HF_ENDPOINT, HF_HUB_CACHE, HF_HUB_OFFLINE', async () => {
    vi.stubEnv('HF_ENDPOINT', hub.endpoint);
    vi.stubEnv('HF_HUB_CACHE', cacheDir);
    vi.stubEnv('HF_HUB_OFFLINE', '1');
    const files = await openCheckpoint('acme/tiny');
    expect(await files.text('config.json')).toBe(CONFIG);
    expect(hub.requests).toEqual([]);
    const error = await errorOf(files.text('tokenizer.json'));
    expect(error.code).toBe('offline-miss');
    expect(error.message).toContain('tokenizer.json');
    expect(error.message).toContain(join(cacheDir, 'models--acme--tiny'));
  });

  it('records a missing optional file in .no_exist and then answers offline', async () => {
    const files = await openCheckpoint('acme/tiny', options());
    expect(await files.optionalText('tokenizer.json')).toBeUndefined();
    const marker = join(
      cacheDir,
      'models--acme--tiny',
      '.no_exist',
      hub.commitOf('acme/tiny'),
      'tokenizer.json',
    );
    expect((await lstat(marker)).size).toBe(0);
    const offline = await openCheckpoint('acme/tiny', options({ offline: true }));
    expect(await offline.optionalText('tokenizer.json')).toBeUndefined();
  });

  it('sends HF_TOKEN to the Hub host only, never to the CDN it redirects to', async () => {
    freshCache();
    vi.stubEnv('HF_TOKEN', TOKEN);
    const files = await openCheckpoint('acme/gated', options());
    expect(await tensorsOf(files, 'model.safetensors')).toEqual(EXPECTED);
    const hubAuth = hub.requests.filter((r) => r.server === 'hub').map((r) => r.authorization);
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(hubAuth.length).toBeGreaterThan(0);
    expect(hubAuth.every((a) => a === `Bearer ${TOKEN}`)).toBe(true);
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('lets downloads of the same blob run at once (processes do) without corrupting it', async () => {
    freshCache();
    const sources = await Promise.all(
      [0, 1, 2].map(async () => (await openCheckpoint('acme/big', options())).open('big.bin')),
    );
    for (const source of sources) {
      expect(Buffer.from(await source.read(0, source.size)).equals(big)).toBe(true);
      await source.close();
    }
    const blobs = join(cacheDir, 'models--acme--big', 'blobs');
    expect(await readdir(blobs)).toEqual([hub.etagOf('acme/big', 'big.bin')]);
  });

  it('keeps a snapshot pointer readable while other calls link it again', async () => {
    const cache = new RepoCache(join(root, 'relink-cache'), 'acme/relink');
    const etag = 'e'.repeat(40);
    const commit = 'c'.repeat(40);
    await mkdir(join(cache.folder, 'blobs'), { recursive: true });
    await writeFile(cache.blobPath(etag), big);
    // Each caller reads the file as soon as its own link is made, as openCheckpoint does. The
    // race is a matter of timing, so it is given several rounds to show.
    for (let round = 0; round < 8; round++) {
      const reads = Array.from({ length: 16 }, async () => {
        const pointer = await cache.linkSnapshot(commit, 'big.bin', etag);
        return (await readFile(pointer)).length;
      });
      expect(await Promise.all(reads)).toEqual(Array(16).fill(big.length));
    }
    expect(await readdir(dirname(cache.snapshotPath(commit, 'big.bin')))).toEqual(['big.bin']);
    expect(await readdir(join(cache.folder, 'blobs'))).toEqual([etag]);
  });

  it('fetches a sharded index and its shards', async () => {
    const files = await openCheckpoint('acme/sharded', options());
    expect(await tensorsOf(files, 'model.safetensors.index.json')).toEqual(EXPECTED);
  });

  it('refuses a shard name that leaves the checkpoint', async () => {
    const files = await openCheckpoint('acme/escape', options());
    await expect(openCheckpointSafetensors(files, 'model.safetensors.index.json')).rejects.toThrow(
      /"\.\.\/model-00001-of-00002\.safetensors" is refused: '\.\.' would leave the checkpoint folder/,
    );
  });
});

describe('a cache laid out by Python huggingface_hub', () => {
  it('is read through refs/<revision>, not the first snapshot found', async () => {
    const dir = join(root, 'python-cache');
    const repo = join(dir, 'models--openai-community--gpt2');
    const old = '0'.repeat(40);
    const current = 'f'.repeat(40);
    const oldConfig = '{"n_embd": 1}';
    // As hf_hub_download leaves it: blobs named by ETag, snapshots of relative links, refs/main.
    const blobs = { [hub.etagOf('acme/tiny', 'config.json')]: CONFIG, ['1'.repeat(40)]: oldConfig };
    await mkdir(join(repo, 'blobs'), { recursive: true });
    for (const [name, text] of Object.entries(blobs))
      await writeFile(join(repo, 'blobs', name), text);
    await mkdir(join(repo, 'refs'));
    await writeFile(join(repo, 'refs', 'main'), current);
    for (const [commit, blob] of [
      [old, '1'.repeat(40)],
      [current, hub.etagOf('acme/tiny', 'config.json')],
    ]) {
      await mkdir(join(repo, 'snapshots', commit), { recursive: true });
      await symlink(`../../blobs/${blob}`, join(repo, 'snapshots', commit, 'config.json'));
    }
    await mkdir(join(repo, '.no_exist', current), { recursive: true });
    await writeFile(join(repo, '.no_exist', current, 'tokenizer.json'), '');

    const files = await openCheckpoint('gpt2', { cacheDir: dir, offline: true });
    expect(await files.text('config.json')).toBe(CONFIG);
    expect(await files.optionalText('tokenizer.json')).toBeUndefined();
    const pinned = await openCheckpoint('gpt2', { cacheDir: dir, offline: true, revision: old });
    expect(await pinned.text('config.json')).toBe(oldConfig);
    const error = await errorOf(
      openCheckpoint('gpt2', { cacheDir: dir, offline: true, revision: 'v2' }).then((f) =>
        f.text('config.json'),
      ),
    );
    expect(error.message).toMatch(/refs\/v2 \(revision never downloaded\)/);
  });
});

describe('errors', () => {
  it('401 for a gated repository says so and mentions HF_TOKEN, without printing a token', async () => {
    freshCache();
    const error = await errorOf(
      openCheckpoint('acme/gated', options({ token: 'hf_wrong_token' })).then((f) =>
        f.text('config.json'),
      ),
    );
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/acme\/gated: 401.*gated.*HF_TOKEN/);
    expect(error.message).not.toContain('hf_wrong_token');
  });

  it('404 names the file and the revision', async () => {
    const files = await openCheckpoint('acme/tiny', options());
    const error = await errorOf(files.text('missing.json'));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain("missing.json not found at revision 'main'");
    const badRevision = await openCheckpoint('acme/tiny', options({ revision: 'v9' }));
    expect((await errorOf(badRevision.text('config.json'))).message).toContain(
      "revision 'v9' does not exist",
    );
  });

  it('reports a redirect loop', async () => {
    const files = await openCheckpoint('acme/loop', options());
    const error = await errorOf(files.text('config.json'));
    expect(error.code).toBe('redirect-loop');
    expect(error.message).toContain('/acme/loop/resolve/main/config.json');
  });

  it('leaves nothing in the cache after a dropped connection or a corrupted body', async () => {
    for (const repoId of ['acme/dropped', 'acme/corrupt']) {
      const files = await openCheckpoint(repoId, options());
      const error = await errorOf(files.open('model.safetensors'));
      expect(error.code).toBe('truncated');
      expect(error.message).toContain('model.safetensors');
      const repo = join(cacheDir, `models--${repoId.replace('/', '--')}`);
      expect(await readdir(join(repo, 'blobs'))).toEqual([]);
      expect(await readdir(join(repo, 'snapshots')).catch(() => [])).toEqual([]);
    }
  });

  it('without a network names the cache folder and offline mode', async () => {
    freshCache();
    const files = await openCheckpoint('acme/tiny', options({ endpoint: 'http://127.0.0.1:9' }));
    const error = await errorOf(files.text('config.json'));
    expect(error.code).toBe('network');
    expect(error.message).toContain(join(cacheDir, 'models--acme--tiny'));
    expect(error.message).toContain('HF_HUB_OFFLINE=1');
  });
});

describe('checkpoints served under a URL', () => {
  it('are read with range requests: the header, then one request per tensor', async () => {
    const files = await openCheckpoint(`${hub.staticBase}/acme/tiny`, options());
    expect(await files.text('config.json')).toBe(CONFIG);
    hub.requests.length = 0;
    expect(await tensorsOf(files, 'model.safetensors')).toEqual(EXPECTED);
    const ranges = hub.requests.map((r) => r.range);
    expect(ranges.every((r) => r?.startsWith('bytes='))).toBe(true);
    // Probe, length, header, then a and b.
    expect(ranges).toHaveLength(5);
    expect(await files.optionalText('tokenizer.json')).toBeUndefined();
  });

  it('fall back to one whole read where the server ignores Range', async () => {
    const plain = await startMockHub({
      ranges: false,
      repos: { 'acme/tiny': { files: { 'model.safetensors': weights } } },
    });
    try {
      const files = await openCheckpoint(`${plain.staticBase}/acme/tiny`, options());
      expect(await tensorsOf(files, 'model.safetensors')).toEqual(EXPECTED);
      expect(plain.requests).toHaveLength(1);
    } finally {
      await plain.close();
    }
  });

  it('take an HTML page answered for a missing file (a single-page-app host) as missing', async () => {
    const spa = await startMockHub({
      htmlFallback: true,
      repos: { 'acme/tiny': { files: { 'config.json': CONFIG, 'model.safetensors': weights } } },
    });
    try {
      const files = await openCheckpoint(`${spa.staticBase}/acme/tiny`, options());
      expect(await files.optionalText('tokenizer.json')).toBeUndefined();
      expect(await files.exists('model.safetensors.index.json')).toBe(false);
      expect(await files.text('config.json')).toBe(CONFIG);
    } finally {
      await spa.close();
    }
  });

  it('through the Hub resolve URL reach the sharded files too', async () => {
    const files = await openCheckpoint(`${hub.endpoint}/acme/sharded/resolve/main`, options());
    expect(await tensorsOf(files, 'model.safetensors.index.json')).toEqual(EXPECTED);
  });
});
