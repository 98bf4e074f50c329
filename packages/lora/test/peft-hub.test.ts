import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@lgpt/core';
import { type MockHub, startMockHub } from '@lgpt/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeftModel } from '../src/peft-model.js';
import { tempDir } from './support/files.js';
import { ADAPTER_DIR, loadGpt2 } from './support/gpt2.js';

const adapterFiles = Object.fromEntries(
  readdirSync(ADAPTER_DIR).map((f) => [f, new Uint8Array(readFileSync(join(ADAPTER_DIR, f)))]),
);
const TOKEN = 'hf_adapter_test_token';
let hub: MockHub;
let reference: Record<string, number[]>;

async function adapterValues(peft: PeftModel): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(peft.adapterStateDict())) out[k] = [...(await t.data())];
  return out;
}

beforeAll(async () => {
  await initBackend('cpu');
  const local = await PeftModel.fromPretrained(await loadGpt2(), ADAPTER_DIR);
  reference = await adapterValues(local);
  local.dispose();
  hub = await startMockHub({
    token: TOKEN,
    repos: {
      'acme/adapter': { files: adapterFiles },
      'acme/gated-adapter': { gated: true, files: adapterFiles },
      'acme/pickle-adapter': {
        files: {
          'adapter_config.json': adapterFiles['adapter_config.json'],
          'adapter_model.bin': 'x',
        },
      },
    },
  });
});
afterAll(() => hub.close());

describe('PeftModel.fromPretrained beyond folders', () => {
  it('loads an adapter by Hub id and by URL, then offline from the cache', async () => {
    const cacheDir = await tempDir();
    for (const [source, extra] of [
      ['acme/adapter', {}],
      [`${hub.staticBase}/acme/adapter`, {}],
      ['acme/adapter', { offline: true }],
    ] as const) {
      const peft = await PeftModel.fromPretrained(await loadGpt2(), source, {
        endpoint: hub.endpoint,
        cacheDir,
        ...extra,
      });
      expect(await adapterValues(peft)).toEqual(reference);
      peft.dispose();
    }
  });

  it('errors name the gated repository and HF_TOKEN, or the pickle', async () => {
    const options = { endpoint: hub.endpoint, cacheDir: await tempDir() };
    const model = await loadGpt2();
    await expect(PeftModel.fromPretrained(model, 'acme/gated-adapter', options)).rejects.toThrow(
      /acme\/gated-adapter: 401.*HF_TOKEN/,
    );
    const peft = await PeftModel.fromPretrained(model, 'acme/gated-adapter', {
      ...options,
      token: TOKEN,
    });
    expect(await adapterValues(peft)).toEqual(reference);
    peft.unload();
    await expect(PeftModel.fromPretrained(model, 'acme/pickle-adapter', options)).rejects.toThrow(
      /adapter_model\.safetensors not found; adapter_model\.bin \(a PyTorch pickle\) is not supported/,
    );
    model.dispose();
  });
});
