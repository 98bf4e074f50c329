import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSafetensors, readSafetensors, writeSafetensors } from '@lgpt/core';
import { describeBackends, expectClose } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { GPT2LMHeadModel } from '../src/index.js';
import { MODEL_DIR } from './support/fixtures.js';
import { toBF16, writeRawSafetensors } from './support/safetensors.js';

const WEIGHTS = join(MODEL_DIR, 'model.safetensors');

async function parameters(model: GPT2LMHeadModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, p] of model.namedParameters()) out.set(name, (await p.data()) as Float32Array);
  return out;
}

/** The fixture checkpoint's tensors as a mutable dict (the caller disposes them). */
const fixtureTensors = () => readSafetensors(WEIGHTS);

describeBackends('checkpoints', () => {
  let reference: GPT2LMHeadModel;
  let referenceParams: Map<string, Float32Array>;
  let dir: string;

  beforeAll(async () => {
    reference = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
    referenceParams = await parameters(reference);
  });
  afterAll(() => reference.dispose());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpt2-ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A folder with the fixture's config.json and the given tensors as model.safetensors. */
  async function checkpointWith(
    tensors: Record<string, tf.Tensor>,
    config?: object,
  ): Promise<string> {
    const json = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, ...config }));
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { overwrite: true });
    return dir;
  }

  async function expectSameParameters(model: GPT2LMHeadModel): Promise<void> {
    const params = await parameters(model);
    expect([...params.keys()]).toEqual([...referenceParams.keys()]);
    for (const [name, values] of params) expect(values, name).toEqual(referenceParams.get(name));
  }

  it('loads into the variables without extra copies, in eval mode', () => {
    const params = reference.numParameters();
    const { nPositions } = reference.config;
    // Parameters + the causal-bias table, all float32: nothing else is alive.
    expect(tf.memory().numBytes).toBe(4 * (params + nPositions * nPositions));
    expect(reference.training).toBe(false);
    expect(reference.namedParameters().map(([n]) => n)).not.toContain('lm_head.weight');
  });

  it('round-trips savePretrained → fromPretrained exactly', async () => {
    await reference.savePretrained(dir);
    const original = await openSafetensors(WEIGHTS);
    const saved = await openSafetensors(join(dir, 'model.safetensors'));
    expect(saved.keys().sort()).toEqual(original.keys().sort());
    expect(saved.metadata).toEqual({ format: 'pt' });
    await Promise.all([original.close(), saved.close()]);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const fixtureConfig = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8'));
    for (const [k, v] of Object.entries(fixtureConfig)) expect(config[k], k).toEqual(v);
    const loaded = await GPT2LMHeadModel.fromPretrained(dir);
    await expectSameParameters(loaded);
    loaded.dispose();
    await expect(reference.savePretrained(dir)).rejects.toThrow(
      /already exists; pass \{ overwrite: true \}/,
    );
    await reference.savePretrained(dir, { overwrite: true });
  });

  it('writes and reads sharded checkpoints', async () => {
    await reference.savePretrained(dir, { maxShardSize: 64 * 1024 });
    const files = readdirSync(dir);
    expect(files).toContain('model.safetensors.index.json');
    expect(files).not.toContain('model.safetensors');
    const shards = files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f));
    expect(shards.length).toBeGreaterThan(1);
    const loaded = await GPT2LMHeadModel.fromPretrained(dir);
    await expectSameParameters(loaded);
    loaded.dispose();
  });

  it('accepts keys without the transformer. prefix, legacy attention buffers and a stored tied head', async () => {
    const tensors = await fixtureTensors();
    const renamed: Record<string, tf.Tensor> = {};
    for (const [key, t] of Object.entries(tensors)) renamed[key.replace(/^transformer\./, '')] = t;
    const { nPositions } = reference.config;
    const extra = [tf.ones([1, 1, nPositions, nPositions]), tf.scalar(-1e4)];
    renamed['h.0.attn.bias'] = extra[0];
    renamed['h.0.attn.masked_bias'] = extra[1];
    renamed['lm_head.weight'] = tensors['transformer.wte.weight'];
    const loaded = await GPT2LMHeadModel.fromPretrained(await checkpointWith(renamed));
    await expectSameParameters(loaded);
    loaded.dispose();
    tf.dispose([...Object.values(tensors), ...extra]);
  });

  it('reads F16 and BF16 weights', async () => {
    await reference.savePretrained(dir, { floatDtype: 'F16' });
    const half = await GPT2LMHeadModel.fromPretrained(dir);
    for (const [name, values] of await parameters(half)) {
      const original = referenceParams.get(name) as Float32Array;
      // F16 keeps 11 significant bits.
      await expectClose(values, original, { atol: 1e-7, rtol: 2 ** -11, label: name });
    }
    half.dispose();

    const tensors = await fixtureTensors();
    const expected = new Map<string, Float32Array>();
    const raw = await Promise.all(
      Object.entries(tensors).map(async ([name, t]) => {
        const { bytes, decoded } = toBF16((await t.data()) as Float32Array);
        expected.set(name, decoded);
        return { name, dtype: 'BF16', shape: t.shape, bytes };
      }),
    );
    writeRawSafetensors(join(dir, 'model.safetensors'), raw);
    const bf16 = await GPT2LMHeadModel.fromPretrained(dir);
    for (const [name, values] of await parameters(bf16))
      expect(values, name).toEqual(expected.get(name));
    bf16.dispose();
    tf.dispose(Object.values(tensors));
  });

  it('loads an untied head from lm_head.weight and saves it', async () => {
    const tensors = await fixtureTensors();
    const head = tf.mul(tensors['transformer.wte.weight'], 2);
    const path = await checkpointWith(
      { ...tensors, 'lm_head.weight': head },
      { tie_word_embeddings: false },
    );
    const untied = await GPT2LMHeadModel.fromPretrained(path);
    expect(untied.headWeight).not.toBe(untied.transformer.wte.weight);
    await expectClose(untied.headWeight, head, { atol: 0, label: 'lm_head' });
    const out = join(dir, 'saved');
    await untied.savePretrained(out);
    const saved = await openSafetensors(join(out, 'model.safetensors'));
    expect(saved.has('lm_head.weight')).toBe(true);
    await saved.close();
    await expect(
      checkpointWith(tensors, { tie_word_embeddings: false }).then((p) =>
        GPT2LMHeadModel.fromPretrained(p),
      ),
    ).rejects.toThrow(/missing keys: lm_head.weight/);
    untied.dispose();
    tf.dispose([...Object.values(tensors), head]);
  });

  it('names the key and shapes of a mismatched checkpoint, leaking nothing', async () => {
    const tensors = await fixtureTensors();
    const key = 'transformer.h.0.attn.c_attn.weight';
    const good = tensors[key];
    const cases: [Record<string, tf.Tensor>, RegExp][] = [
      [
        { ...tensors, [key]: tf.transpose(good) },
        new RegExp(
          `size mismatch for ${key}: expected \\[${good.shape}\\], got \\[${[...good.shape].reverse()}\\]`,
        ),
      ],
      [
        Object.fromEntries(Object.entries(tensors).filter(([k]) => k !== key)),
        new RegExp(`missing keys: ${key}`),
      ],
      [
        { ...tensors, 'transformer.h.0.attn.extra': tf.zeros([2]) },
        /unexpected keys: transformer\.h\.0\.attn\.extra/,
      ],
      [{ ...tensors, [key.replace('transformer.', '')]: good }, /stored twice/],
      [{ ...tensors, [key]: tf.zeros(good.shape, 'int32') }, new RegExp(`${key} has dtype I32`)],
    ];
    const numTensors = tf.memory().numTensors;
    for (const [dict, message] of cases) {
      const path = await checkpointWith(dict);
      await expect(GPT2LMHeadModel.fromPretrained(path)).rejects.toThrow(message);
      expect(tf.memory().numTensors).toBe(numTensors);
    }
    tf.dispose(cases.flatMap(([dict]) => Object.values(dict)));
  });

  it('names missing files', async () => {
    await expect(GPT2LMHeadModel.fromPretrained(join(dir, 'nope'))).rejects.toThrow(
      /nope: no such folder/,
    );
    cpSync(join(MODEL_DIR, 'config.json'), join(dir, 'config.json'));
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(
      /no model.safetensors or model.safetensors.index.json/,
    );
    writeFileSync(join(dir, 'pytorch_model.bin'), '');
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(/Found pytorch_model.bin/);
    writeFileSync(join(dir, 'model.safetensors'), Buffer.alloc(4));
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(/model.safetensors/);
    expect(statSync(join(dir, 'model.safetensors')).size).toBe(4);
  });
});
