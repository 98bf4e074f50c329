import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import { GPT2Config, GPT2LMHeadModel } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyLoraVariant,
  loadVariantModel,
  VARIANT_NAMES,
  variantConfig,
  variantSwitches,
  withVariant,
} from '../src/index.js';

const MODEL_DIR = fileURLToPath(new URL('./fixtures/gpt2-model/', import.meta.url));

const ids = [
  [5, 17, 300, 42, 999, 7],
  [1, 2, 3, 4, 5, 6],
];

describe('variant switches', () => {
  it('name the Learnable-GPT architectures', () => {
    expect(VARIANT_NAMES.map((name) => variantSwitches(name))).toEqual([
      { useKan: false, useLora: false, useGraph: false },
      { useKan: false, useLora: true, useGraph: false },
      { useKan: true, useLora: false, useGraph: false },
      { useKan: true, useLora: true, useGraph: false },
      { useKan: false, useLora: false, useGraph: true },
      { useKan: false, useLora: true, useGraph: true },
    ]);
    expect(() => variantSwitches('bert' as never)).toThrow(/unknown variant 'bert'.*base, lora/);
  });

  it('round-trip through config.json with kan_config', () => {
    const kanConfig = { hidden_size: 16, grid_size: 3 };
    const config = withVariant(new GPT2Config(), { useKan: true, kanConfig });
    const json = config.toJSON();
    expect(json.use_kan).toBe(true);
    const back = variantConfig(GPT2Config.fromJSON(json));
    expect(back.useKan).toBe(true);
    expect(back.useGraph).toBe(false);
    expect(back.kanConfig).toEqual(kanConfig);
  });

  it('are read from the config.json keys of a Learnable-GPT run, with defaults', () => {
    const config = GPT2Config.fromJSON({
      use_graph: true,
      lora_config: { r: 4, lora_alpha: 8, target_modules: ['c_attn'] },
      hidden_dropout_prob: 0.2,
    });
    expect(variantConfig(config)).toEqual({
      useKan: false,
      useLora: false,
      useGraph: true,
      loraConfig: { r: 4, lora_alpha: 8, target_modules: ['c_attn'] },
      kanConfig: null,
      hiddenDropoutProb: 0.2,
      hiddenHybridDropoutProb: 0.1,
    });
    expect(() => variantConfig(GPT2Config.fromJSON({ use_kan: 'yes' }))).toThrow(
      /use_kan must be a boolean/,
    );
    expect(() => variantConfig(GPT2Config.fromJSON({ hidden_dropout_prob: 1.5 }))).toThrow(
      /hidden_dropout_prob must be in \[0, 1\)/,
    );
  });
});

describeBackends('GPT-2 variants on the fixture checkpoint', () => {
  let base: GPT2LMHeadModel;
  let baseState: Record<string, Float32Array>;

  beforeAll(async () => {
    base = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
    baseState = {};
    for (const [name, t] of Object.entries(base.stateDict())) {
      baseState[name] = (await t.data()) as Float32Array;
    }
  });

  afterAll(() => base.dispose());

  it('kan: loads attention and embeddings, initialises the KAN MLP, reports both', async () => {
    const model = await loadVariantModel(MODEL_DIR, {
      ...variantSwitches('kan'),
      kanConfig: { hidden_size: 8 },
    });
    const info = model.loadingInfo!;
    expect(info.unused.sort()).toEqual(
      Object.keys(baseState)
        .filter((k) => /\.mlp\.c_(fc|proj)\./.test(k))
        .sort(),
    );
    expect(info.newlyInitialized.length).toBeGreaterThan(0);
    expect(
      info.newlyInitialized.every((k) => /^transformer\.h\.\d+\.mlp\.kan\.layers\.[01]\./.test(k)),
    ).toBe(true);
    const kanWeight = model.getParameter('transformer.h.0.mlp.kan.layers.0.base_weight');
    expect(kanWeight.shape).toEqual([8, model.config.nEmbd]);
    expect(Math.max(...Array.from(await kanWeight.data(), Math.abs))).toBeGreaterThan(0);
    for (const name of [
      'transformer.wte.weight',
      'transformer.h.1.attn.c_attn.weight',
      'transformer.ln_f.bias',
    ]) {
      expect(Array.from(await model.getParameter(name).data()), name).toEqual(
        Array.from(baseState[name]),
      );
    }
    const out = await expectNoLeaks(() => model.forward(ids));
    expect(out.logits.shape).toEqual([2, 6, model.config.vocabSize]);
    tf.dispose(out as unknown as tf.TensorContainer);
    model.dispose();
  });

  it('graph: adds a causal graph sub-layer per block and generates without a KV cache', async () => {
    const model = await loadVariantModel(MODEL_DIR, variantSwitches('graph'));
    expect(model.loadingInfo!.unused).toEqual([]);
    expect(model.loadingInfo!.newlyInitialized).toContain(
      'transformer.h.1.graph.attention.fusion.weight',
    );
    expect(model.loadingInfo!.newlyInitialized).toContain('transformer.h.0.graph.ln.weight');
    // Causal: changing the last token leaves every earlier position's logits unchanged.
    const a = model.forward(ids);
    const b = model.forward(ids.map((row) => [...row.slice(0, -1), 123]));
    const early = (t: tf.Tensor) => tf.slice(t, [0, 0, 0], [2, 5, -1]);
    await expectClose(early(a.logits), early(b.logits), { atol: 1e-5, label: 'earlier logits' });
    const generated = await model.generate([[11, 22, 33]], { maxNewTokens: 3, eosTokenId: null });
    expect(generated[0]).toHaveLength(6);
    await expect(
      model.generate([[11, 22, 33]], { maxNewTokens: 2, useCache: true }),
    ).rejects.toThrow(/needs the whole sequence \(graph attention\): run without a KV cache/);
    tf.dispose([a, b] as unknown as tf.TensorContainer);
    model.dispose();
  });

  it('lora, kan-lora, graph-lora: only the adapters (and new graph layers) train', async () => {
    const expectations: Record<string, RegExp> = {
      lora: /^transformer\.h\.\d+\.mlp\.c_(fc|proj)\.lora_[AB]\.default\.weight$/,
      'kan-lora': /^transformer\.h\.\d+\.mlp\.kan\.layers\.[01]\.lora_[AB]\.default\.weight$/,
      'graph-lora':
        /^transformer\.h\.\d+\.(mlp\.c_(fc|proj)\.lora_[AB]\.default\.weight|graph\.modules_to_save\.default\..+)$/,
    };
    for (const [variant, pattern] of Object.entries(expectations)) {
      const model = await loadVariantModel(MODEL_DIR, {
        ...variantSwitches(variant as 'lora'),
        kanConfig: { hidden_size: 8 },
      });
      const peft = applyLoraVariant(model)!;
      const trainable = model.namedParameters({ trainableOnly: true }).map(([n]) => n);
      expect(trainable.length, variant).toBeGreaterThan(0);
      for (const name of trainable) expect(name, variant).toMatch(pattern);
      expect(peft.peftConfig.default.r).toBe(16);
      expect(peft.peftConfig.default.loraAlpha).toBe(32);
      model.dispose();
    }
    const plain = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
    expect(applyLoraVariant(plain)).toBeNull();
    plain.dispose();
  });

  it('a plain GPT-2 load of a variant checkpoint names the keys it has no place for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgpt-variant-'));
    const model = await loadVariantModel(MODEL_DIR, variantSwitches('graph'));
    await model.savePretrained(dir, { overwrite: true });
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(/graph\.attention/);
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('a saved variant model reloads with its trained KAN and graph weights, none re-initialised', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgpt-variant-'));
    const overrides = { useKan: true, useGraph: true, kanConfig: { hidden_size: 8 } };
    const model = await loadVariantModel(MODEL_DIR, overrides);
    await model.savePretrained(dir, { overwrite: true });
    const again = await loadVariantModel(dir);
    const { useKan, useGraph } = variantConfig(again.config);
    expect(useKan && useGraph).toBe(true);
    expect(again.loadingInfo).toEqual({ newlyInitialized: [], unused: [] });
    for (const [name, p] of model.namedParameters()) {
      expect(Array.from(await again.getParameter(name).data()), name).toEqual(
        Array.from(await p.data()),
      );
    }
    model.dispose();
    again.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});
