import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DownloadProgress, type HubError, initBackend } from '@lgpt/core';
import { type MockHub, startMockHub } from '@lgpt/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GPT2LMHeadModel, GPT2Tokenizer } from '../src/index.js';
import { MODEL_DIR } from './support/fixtures.js';

const folderFiles = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));

async function parameters(model: GPT2LMHeadModel): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, p] of model.namedParameters()) out[name] = [...(await p.data())];
  return out;
}

let hub: MockHub;
let root: string;
let reference: Record<string, number[]>;
const TOKEN = 'hf_test_token_for_gpt2';
let tokenizerFiles: Record<string, string>;

beforeAll(async () => {
  await initBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'lgpt-gpt2-hub-'));
  const local = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
  reference = await parameters(local);
  // A sharded copy of the same weights (several files behind an index).
  await local.savePretrained(join(root, 'sharded'), { maxShardSize: 60_000 });
  local.dispose();
  const standard = await GPT2Tokenizer.load();
  tokenizerFiles = {
    'vocab.json': JSON.stringify(standard.vocabJson()),
    'merges.txt': standard.mergesTxt(),
  };
  hub = await startMockHub({
    token: TOKEN,
    repos: {
      'acme/tiny-gpt2': { files: { ...folderFiles(MODEL_DIR), ...tokenizerFiles } },
      'acme/no-tokenizer': { files: folderFiles(MODEL_DIR) },
      'acme/sharded': { files: folderFiles(join(root, 'sharded')) },
      'acme/gated': { gated: true, files: folderFiles(MODEL_DIR) },
      'openai-community/gpt2': { files: folderFiles(MODEL_DIR) },
    },
  });
});
afterAll(async () => {
  await hub.close();
  rmSync(root, { recursive: true, force: true });
});
afterEach(() => vi.unstubAllEnvs());

let run = 0;
const hubOptions = () => ({ endpoint: hub.endpoint, cacheDir: join(root, `cache-${run++}`) });

async function expectReference(model: GPT2LMHeadModel) {
  try {
    expect(await parameters(model)).toEqual(reference);
  } finally {
    model.dispose();
  }
}

describe('GPT2LMHeadModel.fromPretrained beyond folders', () => {
  it('loads by Hub id, reporting progress, then again from the cache offline', async () => {
    const options = hubOptions();
    const progress: DownloadProgress[] = [];
    await expectReference(
      await GPT2LMHeadModel.fromPretrained('acme/tiny-gpt2', {
        ...options,
        onProgress: (p) => progress.push(p),
      }),
    );
    const size = readFileSync(join(MODEL_DIR, 'model.safetensors')).byteLength;
    expect(progress.at(-1)).toEqual({ file: 'model.safetensors', loaded: size, total: size });
    await expectReference(
      await GPT2LMHeadModel.fromPretrained('acme/tiny-gpt2', { ...options, offline: true }),
    );
  });

  it('loads by URL, with range requests', async () => {
    hub.requests.length = 0;
    await expectReference(await GPT2LMHeadModel.fromPretrained(`${hub.staticBase}/acme/tiny-gpt2`));
    expect(hub.requests.filter((r) => r.range).length).toBeGreaterThan(3);
  });

  it('reads a sharded checkpoint from the Hub', async () => {
    expect(
      readdirSync(join(root, 'sharded')).filter((f) => f.endsWith('.safetensors')).length,
    ).toBeGreaterThan(1);
    await expectReference(await GPT2LMHeadModel.fromPretrained('acme/sharded', hubOptions()));
  });

  it('takes a size name as openai-community/<name>, from HF_ENDPOINT and HF_HUB_CACHE', async () => {
    const { endpoint, cacheDir } = hubOptions();
    vi.stubEnv('HF_ENDPOINT', endpoint);
    vi.stubEnv('HF_HUB_CACHE', cacheDir);
    await expectReference(await GPT2LMHeadModel.fromPretrained('gpt2'));
    expect(readdirSync(cacheDir)).toEqual(['models--openai-community--gpt2']);
  });

  it('names the gated repository and HF_TOKEN when refused, and loads with the token', async () => {
    const options = hubOptions();
    const refused = await GPT2LMHeadModel.fromPretrained('acme/gated', options).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/acme\/gated: 401.*gated.*HF_TOKEN/);
    vi.stubEnv('HF_TOKEN', TOKEN);
    await expectReference(await GPT2LMHeadModel.fromPretrained('acme/gated', options));
  });

  it('offline without a cached copy says what is missing', async () => {
    const error = await GPT2LMHeadModel.fromPretrained('acme/tiny-gpt2', {
      ...hubOptions(),
      offline: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /offline mode \(HF_HUB_OFFLINE\).*config\.json.*models--acme--tiny-gpt2/,
    );
  });

  it('404 names the missing file', async () => {
    const error = await GPT2LMHeadModel.fromPretrained(`${hub.staticBase}/acme/none`).catch(
      (e: unknown) => e,
    );
    expect((error as HubError).code).toBe('not-found');
    expect((error as Error).message).toContain('config.json');
  });
});

describe('GPT2Tokenizer.fromPretrained beyond folders', () => {
  it('loads the repository tokenizer by id and by URL', async () => {
    const standard = await GPT2Tokenizer.load();
    for (const source of ['acme/tiny-gpt2', `${hub.staticBase}/acme/tiny-gpt2`]) {
      const tokenizer = await GPT2Tokenizer.fromPretrained(source, hubOptions());
      expect(tokenizer.vocabJson()).toEqual(standard.vocabJson());
      expect(tokenizer.encode('Hello world')).toEqual(standard.encode('Hello world'));
    }
  });

  it("falls back to GPT-2's vocabulary, and says so, for a repository without tokenizer files", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const tokenizer = await GPT2Tokenizer.fromPretrained('acme/no-tokenizer', hubOptions());
      expect(tokenizer.vocabSize).toBe(50257);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/acme\/no-tokenizer@main has no tokenizer files/),
      );
    } finally {
      warn.mockRestore();
    }
  });
});
