import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@lgpt/core';
import { type MockHub, startMockHub } from '@lgpt/core/testing';
import { GPT2LMHeadModel } from '@lgpt/gpt2';
import { getPeftModel } from '@lgpt/lora';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtureCheckpoint } from './support/fixture-model.js';
import { lgptOrThrow as lgpt } from './support/run-cli.js';

const filesOf = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));

describe('lgpt --model and --adapter from the Hub', () => {
  let work: string;
  let model: string;
  let hub: MockHub;
  beforeAll(async () => {
    await initBackend('cpu');
    work = await mkdtemp(join(tmpdir(), 'lgpt-cli-hub-'));
    model = await fixtureCheckpoint();
    const lm = await GPT2LMHeadModel.fromPretrained(model);
    const peft = getPeftModel(lm, { r: 2, targetModules: ['c_attn'] });
    await peft.savePretrained(join(work, 'adapter'));
    peft.dispose();
    hub = await startMockHub({
      repos: {
        'acme/fixture': { files: filesOf(model) },
        'acme/fixture-lora': { files: filesOf(join(work, 'adapter')) },
      },
    });
  });
  afterAll(async () => {
    await hub.close();
    for (const dir of [work, model]) await rm(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });

  it('downloads both into the Hugging Face cache with a progress line, then runs offline', async () => {
    const cache = join(work, 'hf-cache');
    vi.stubEnv('HF_ENDPOINT', hub.endpoint);
    vi.stubEnv('HF_HUB_CACHE', cache);
    const args = ['--prompt', 'the', '--max-new-tokens', '3', '--greedy', '--backend', 'cpu'];
    const online = await lgpt(
      'generate',
      '--model',
      'acme/fixture',
      '--adapter',
      'acme/fixture-lora',
      ...args,
    );
    expect(online.code, online.stderr).toBe(0);
    expect(online.stderr).toMatch(/downloaded model\.safetensors \([\d.]+ MB\)/);
    expect(online.stderr).toMatch(/downloaded adapter_model\.safetensors/);
    expect(readdirSync(cache).sort()).toEqual([
      'models--acme--fixture',
      'models--acme--fixture-lora',
    ]);

    vi.stubEnv('HF_HUB_OFFLINE', '1');
    hub.requests.length = 0;
    const offline = await lgpt(
      'generate',
      '--model',
      'acme/fixture',
      '--adapter',
      'acme/fixture-lora',
      ...args,
    );
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toBe(online.stdout);
    expect(hub.requests).toEqual([]);

    // The bin prints what runCli throws; the message names the repository, the file and the cache.
    await expect(lgpt('generate', '--model', 'acme/other', ...args)).rejects.toThrow(
      /acme\/other@main: offline mode \(HF_HUB_OFFLINE\) and config\.json is not in the cache/,
    );
  });
});
