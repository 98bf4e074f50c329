import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Conv1D, openSafetensors, readSafetensors, writeSafetensors } from '@lgpt/core';
import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { LoraLinear } from '../src/lora-linear.js';
import { getPeftModel, PeftModel } from '../src/peft-model.js';
import { tempDir } from './support/files.js';
import { ADAPTER_DIR, FIXTURES, loadGpt2, logits, readGpt2Config } from './support/gpt2.js';
import { add, addRow, matmul, matrix, scale, transpose, vector } from './support/reference.js';

const ADAPTER_CONFIG = join(ADAPTER_DIR, 'adapter_config.json');
const ADAPTER_WEIGHTS = join(ADAPTER_DIR, 'adapter_model.safetensors');

interface Golden {
  ids: tf.Tensor;
  /** 1 where a position is compared (right padding is not: nanoGPT has no attention mask). */
  mask: number[][];
  logits: tf.Tensor;
}

/** The fixture's inputs and logits: 'gpt2' (the base model) or 'lora' (with the PEFT adapter). */
async function readGolden(area: 'gpt2' | 'lora'): Promise<Golden> {
  const t = await readSafetensors(join(FIXTURES, area, 'golden.safetensors'));
  const mask = area === 'gpt2' ? t.valid_positions : t.attention_mask;
  return { ids: t.input_ids, mask: (await mask.array()) as number[][], logits: t.logits };
}

/** What the fixture generator recorded about the adapter (`lora/golden.json`). */
interface LoraGoldenJson {
  scaling: number;
  adapted_modules: string[];
}

/** Values of `[batch, time, vocab]` logits at the positions `mask` marks. */
async function valid(logits: tf.Tensor, mask: number[][]): Promise<number[]> {
  const values = (await logits.array()) as number[][][];
  return values.flatMap((row, b) => row.filter((_, t) => mask[b][t] === 1).flat());
}

describeBackends('PeftModel on GPT-2', () => {
  let golden: Golden;
  let fixtureConfig: Record<string, unknown>;
  let adapted: string[];
  let scaling: number;

  beforeAll(async () => {
    golden = await readGolden('lora');
    fixtureConfig = JSON.parse(await readFile(ADAPTER_CONFIG, 'utf8'));
    const info: LoraGoldenJson = JSON.parse(
      await readFile(join(FIXTURES, 'lora', 'golden.json'), 'utf8'),
    );
    ({ adapted_modules: adapted, scaling } = info);
  });

  it('checks the test GPT-2 itself against the fixture GPT-2 golden logits', async () => {
    const base = await readGolden('gpt2');
    const model = await loadGpt2();
    const out = logits(model, base.ids);
    await expectClose(await valid(out, base.mask), await valid(base.logits, base.mask), {
      atol: 1e-4,
      label: 'base logits',
    });
    tf.dispose(out);
    model.dispose();
  });

  it('loads the PEFT fixture adapter with PEFT’s exact keys and values, frozen (inference mode)', async () => {
    const peft = await PeftModel.fromPretrained(await loadGpt2(), ADAPTER_DIR);
    const file = await readSafetensors(ADAPTER_WEIGHTS);
    const state = peft.adapterStateDict();
    expect(Object.keys(state).sort()).toEqual(Object.keys(file).sort());
    for (const key of Object.keys(file))
      await expectClose(state[key], file[key], { atol: 0, label: key });
    const config = peft.peftConfig.default;
    expect([config.r, config.loraAlpha, config.targetModules]).toEqual([
      fixtureConfig.r,
      fixtureConfig.lora_alpha,
      fixtureConfig.target_modules,
    ]);
    expect(peft.numParameters({ trainableOnly: true })).toBe(0);
    expect(peft.training).toBe(false); // PEFT loads for inference in eval mode (no dropout)
    const names = peft.namedParameters().map(([n]) => n);
    expect(names).toContain(`base_model.model.${adapted[0]}.base_layer.weight`);
    expect(names).toContain(`base_model.model.${adapted[0]}.lora_A.default.weight`);
    tf.dispose(Object.values(file));
    peft.dispose();
  });

  it('reproduces the LoRA golden logits, unmerged and after mergeAndUnload()', async () => {
    const peft = await PeftModel.fromPretrained(await loadGpt2(), ADAPTER_DIR);
    const expected = await valid(golden.logits, golden.mask);
    const unmerged = await expectNoLeaks(() => logits(peft, golden.ids), 'forward');
    await expectClose(await valid(unmerged, golden.mask), expected, {
      atol: 1e-4,
      label: 'unmerged logits',
    });
    const plain = peft.mergeAndUnload();
    expect(plain.namedParameters().map(([n]) => n)).toEqual(
      (await loadGpt2()).namedParameters().map(([n]) => n),
    );
    const merged = logits(plain, golden.ids);
    await expectClose(await valid(merged, golden.mask), expected, {
      atol: 1e-4,
      label: 'merged logits',
    });
    tf.dispose([unmerged, merged]);
    plain.dispose();
  });

  it('computes each adapted layer as x·W + b + s·(x·Aᵀ)·Bᵀ and merges it into W + s·(B·A)ᵀ (Conv1D layout)', async () => {
    const peft = await PeftModel.fromPretrained(await loadGpt2(), ADAPTER_DIR);
    const file = await readSafetensors(ADAPTER_WEIGHTS);
    const base = await readSafetensors(join(FIXTURES, 'gpt2', 'model', 'model.safetensors'));
    const x = tf.randomNormal([6, (await readGpt2Config()).nEmbd], 0, 1, 'float32', 3);
    const xm = await matrix(x);
    const expectedWeights: number[][][] = [];
    for (const path of adapted) {
      const layer = peft.model.getSubmodule(path) as LoraLinear;
      expect(layer).toBeInstanceOf(LoraLinear);
      expect(layer.scaling.default).toBe(scaling);
      const w = await matrix(base[`${path}.weight`]);
      const a = await matrix(file[`base_model.model.${path}.lora_A.weight`]);
      const b = await matrix(file[`base_model.model.${path}.lora_B.weight`]);
      const update = scale(matmul(matmul(xm, transpose(a)), transpose(b)), scaling);
      const expected = add(addRow(matmul(xm, w), await vector(base[`${path}.bias`])), update);
      await expectClose(layer.forward(x), expected, { atol: 1e-5, label: `${path} output` });
      expectedWeights.push(add(w, transpose(scale(matmul(b, a), scaling))));
    }
    peft.mergeAndUnload();
    for (const [i, path] of adapted.entries()) {
      const layer = peft.model.getSubmodule(path) as Conv1D;
      expect(layer).toBeInstanceOf(Conv1D);
      await expectClose(layer.weight, expectedWeights[i], { atol: 1e-6, label: `merged ${path}` });
    }
    tf.dispose([x, ...Object.values(file), ...Object.values(base)]);
    peft.dispose();
  });

  it('round-trips save → load tensor-exact, with PEFT’s key names and adapter_config.json', async () => {
    const dir = await tempDir();
    const peft = await PeftModel.fromPretrained(await loadGpt2(), ADAPTER_DIR);
    await peft.savePretrained(dir);
    const savedConfig = await readFile(join(dir, 'adapter_config.json'), 'utf8');
    expect(savedConfig).toBe((await readFile(ADAPTER_CONFIG, 'utf8')).trimEnd());
    const saved = await openSafetensors(join(dir, 'adapter_model.safetensors'));
    const fixture = await openSafetensors(ADAPTER_WEIGHTS);
    expect(saved.keys()).toEqual(fixture.keys());
    expect(saved.metadata).toEqual(fixture.metadata);
    for (const key of fixture.keys()) {
      expect(saved.info(key)).toEqual(fixture.info(key));
      await expectClose(await saved.tensor(key), await fixture.tensor(key), {
        atol: 0,
        label: key,
      });
    }
    await Promise.all([saved.close(), fixture.close()]);
    const reloaded = await PeftModel.fromPretrained(await loadGpt2(), dir);
    const a = peft.adapterStateDict();
    const b = reloaded.adapterStateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const key of Object.keys(a)) await expectClose(b[key], a[key], { atol: 0, label: key });
    await expect(peft.savePretrained(dir)).rejects.toThrow(
      /already exists; pass \{ overwrite: true \}/,
    );
    await peft.savePretrained(dir, { overwrite: true });
    peft.dispose();
    reloaded.dispose();
  });

  it('leaves outputs bit-identical until trained; a training step gives gradients and Adam state to the LoRA weights only', async () => {
    const model = await loadGpt2();
    const before = logits(model, golden.ids);
    const frozen = model.namedParameters().map(([name, p]) => [name, p, p.clone()] as const);
    const peft = getPeftModel(model, { r: 4, loraAlpha: 8, targetModules: ['c_attn'] });
    await expectClose(logits(peft, golden.ids), before, {
      atol: 0,
      label: 'untrained adapter logits',
    });

    const trainable = peft.namedParameters({ trainableOnly: true });
    const { nLayer: layers } = await readGpt2Config();
    expect(trainable.map(([n]) => n)).toEqual(
      Array.from({ length: layers }, (_, i) => [
        `base_model.model.transformer.h.${i}.attn.c_attn.lora_A.default.weight`,
        `base_model.model.transformer.h.${i}.attn.c_attn.lora_B.default.weight`,
      ]).flat(),
    );
    const loss = () => tf.mean(tf.square(logits(peft, golden.ids))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, peft.parameters());
    const withGradient = Object.keys(grads).filter((k) => grads[k] !== null);
    expect(withGradient.sort()).toEqual(trainable.map(([, p]) => p.name).sort());

    const optimizer = tf.train.adam(0.01);
    optimizer.minimize(loss, false, peft.parameters({ trainableOnly: true }));
    await expectNoLeaks(
      () => optimizer.minimize(loss, false, peft.parameters({ trainableOnly: true })),
      'train step',
    );
    const slots = (await optimizer.getWeights()).map((w) => w.name).filter((n) => n !== 'iter');
    const slotOwners = [...new Set(slots.map((n) => n.slice(0, n.lastIndexOf('/'))))];
    expect(slotOwners.sort()).toEqual(trainable.map(([, p]) => p.name).sort());

    for (const [name, param, original] of frozen) {
      await expectClose(param, original, { atol: 0, label: `frozen ${name}` });
    }
    const after = logits(peft, golden.ids);
    expect(Math.max(...(await tf.abs(tf.sub(after, before)).data()))).toBeGreaterThan(0);
    await expectClose(
      peft.disableAdapter(() => logits(peft, golden.ids)),
      before,
      { atol: 0, label: 'disabled adapter logits' },
    );
    optimizer.dispose();
    tf.dispose([
      before,
      after,
      value,
      ...withGradient.map((k) => grads[k]!),
      ...frozen.map(([, , t]) => t),
    ]);
    peft.dispose();
  });

  it('prints PEFT’s trainable-parameter line', async () => {
    const model = await loadGpt2();
    const { nEmbd: c, nLayer: layers } = await readGpt2Config();
    const base = model.numParameters();
    const r = 4;
    const peft = getPeftModel(model, { r, targetModules: ['c_attn'] });
    const line = peft.printTrainableParameters();
    const lora = layers * (r * c + 3 * c * r);
    const m =
      /^trainable params: ([\d,]+) \|\| all params: ([\d,]+) \|\| trainable%: (\d+\.\d{4})$/.exec(
        line,
      )!;
    expect(m).not.toBeNull();
    expect(m[1].replace(/,/g, '')).toBe(String(lora));
    expect(m[2].replace(/,/g, '')).toBe(String(base + lora));
    expect(m[2]).toMatch(/^\d{1,3}(,\d{3})+$/);
    expect(Number(m[3])).toBeCloseTo((100 * lora) / (base + lora), 4);
    peft.dispose();
  });

  it('matches target names as PEFT does: c_proj hits attn.c_proj and mlp.c_proj', async () => {
    const peft = getPeftModel(await loadGpt2(), { targetModules: ['c_proj'] });
    const layers = peft.baseModel.loraLayers().map(([k]) => k);
    const { nLayer: n } = await readGpt2Config();
    expect(layers).toEqual(
      Array.from({ length: n }, (_, i) => [
        `transformer.h.${i}.attn.c_proj`,
        `transformer.h.${i}.mlp.c_proj`,
      ]).flat(),
    );
    peft.dispose();
  });

  it('adds, switches and deletes adapters; saves non-default ones in <dir>/<name>/', async () => {
    const dir = await tempDir();
    const peft = await PeftModel.fromPretrained(await loadGpt2(), ADAPTER_DIR, {
      isTrainable: true,
    });
    expect(peft.training).toBe(true);
    const base = await loadGpt2();
    const baseLogits = logits(base, golden.ids);
    peft.addAdapter('second', { r: 2, targetModules: ['mlp.c_fc'] });
    expect(peft.activeAdapter).toBe('default');
    const fc = peft.model.getSubmodule('transformer.h.0.mlp.c_fc') as LoraLinear;
    expect(fc.loraA.get('second').weight.trainable).toBe(false);
    peft.setAdapter('second');
    expect(fc.loraA.get('second').weight.trainable).toBe(true);
    const secondWeights = peft.baseModel
      .loraLayers()
      .filter(([, l]) => l.adapterNames().includes('second'))
      .flatMap(([, l]) => [l.loraA.get('second').weight.name, l.loraB.get('second').weight.name]);
    expect(peft.parameters({ trainableOnly: true }).map((p) => p.name)).toEqual(secondWeights);
    // 'second' is untrained and 'default' is inactive: the base model computes.
    await expectClose(logits(peft, golden.ids), baseLogits, {
      atol: 0,
      label: 'second adapter logits',
    });
    await peft.savePretrained(dir);
    expect((await stat(join(dir, 'adapter_config.json'))).isFile()).toBe(true);
    const second = await openSafetensors(join(dir, 'second', 'adapter_model.safetensors'));
    expect(second.keys()).toContain('base_model.model.transformer.h.0.mlp.c_fc.lora_A.weight');
    await second.close();
    await peft.loadAdapter(join(dir, 'second'), 'copy');
    expect(Object.keys(peft.peftConfig).sort()).toEqual(['copy', 'default', 'second']);
    peft.deleteAdapter('second');
    expect(Object.keys(peft.peftConfig).sort()).toEqual(['copy', 'default']);
    // every layer falls back to the same adapter
    for (const [, layer] of peft.baseModel.loraLayers()) {
      expect(layer.activeAdapters).toEqual([peft.activeAdapter]);
    }
    peft.setAdapter('default');
    const withDefault = logits(peft, golden.ids);
    await expectClose(
      await valid(withDefault, golden.mask),
      await valid(golden.logits, golden.mask),
      {
        atol: 1e-4,
        label: 'default adapter logits',
      },
    );
    tf.dispose([baseLogits, withDefault]);
    base.dispose();
    peft.dispose();
  });

  it('trains and saves modulesToSave as a full copy; the original runs when adapters are disabled', async () => {
    const dir = await tempDir();
    const model = await loadGpt2();
    const before = logits(model, golden.ids);
    const peft = getPeftModel(model, { targetModules: ['c_attn'], modulesToSave: ['ln_f'] });
    const trainable = peft.namedParameters({ trainableOnly: true }).map(([n]) => n);
    expect(trainable).toContain('base_model.model.transformer.ln_f.modules_to_save.default.weight');
    expect(trainable).not.toContain('base_model.model.transformer.ln_f.original_module.weight');
    const copy = peft.model.getParameter('transformer.ln_f.modules_to_save.default.bias');
    const shifted = tf.add(copy, 1);
    copy.assign(shifted);
    const after = logits(peft, golden.ids);
    expect(Math.max(...(await tf.abs(tf.sub(after, before)).data()))).toBeGreaterThan(0);
    await expectClose(
      peft.disableAdapter(() => logits(peft, golden.ids)),
      before,
      { atol: 0, label: 'disabled' },
    );
    expect(Object.keys(peft.adapterStateDict())).toContain(
      'base_model.model.transformer.ln_f.bias',
    );
    await peft.savePretrained(dir);
    const reloaded = await PeftModel.fromPretrained(await loadGpt2(), dir);
    await expectClose(logits(reloaded, golden.ids), after, {
      atol: 1e-5,
      label: 'reloaded logits',
    });
    tf.dispose([before, after, shifted]);
    peft.dispose();
    reloaded.dispose();
  });

  it('bias "all" / "lora_only" train and save the biases PEFT does', async () => {
    const all = getPeftModel(await loadGpt2(), { targetModules: ['c_attn'], bias: 'all' });
    const allTrainable = all.namedParameters({ trainableOnly: true }).map(([n]) => n);
    expect(allTrainable).toContain('base_model.model.transformer.h.0.ln_1.bias');
    expect(allTrainable).toContain('base_model.model.transformer.h.0.attn.c_attn.base_layer.bias');
    expect(allTrainable.filter((n) => n.endsWith('.weight') && !n.includes('lora_'))).toEqual([]);
    expect(Object.keys(all.adapterStateDict())).toContain(
      'base_model.model.transformer.h.0.mlp.c_fc.bias',
    );
    const only = getPeftModel(await loadGpt2(), { targetModules: ['c_attn'], bias: 'lora_only' });
    const onlyBiases = only
      .namedParameters({ trainableOnly: true })
      .filter(([n]) => n.endsWith('bias'));
    const { nLayer: layers } = await readGpt2Config();
    const loraBiases = Array.from(
      { length: layers },
      (_, i) => `base_model.model.transformer.h.${i}.attn.c_attn.base_layer.bias`,
    );
    expect(onlyBiases.map(([n]) => n)).toEqual(loraBiases);
    expect(Object.keys(only.adapterStateDict())).toEqual(expect.arrayContaining(loraBiases));
    all.dispose();
    only.dispose();
  });

  it('saves DoRA magnitudes as …lora_magnitude_vector [out] and loads them back', async () => {
    const dir = await tempDir();
    const peft = getPeftModel(await loadGpt2(), { targetModules: ['c_attn'], useDora: true });
    await peft.savePretrained(dir);
    const saved = await openSafetensors(join(dir, 'adapter_model.safetensors'));
    const { nEmbd: c } = await readGpt2Config();
    expect(
      saved.info('base_model.model.transformer.h.0.attn.c_attn.lora_magnitude_vector').shape,
    ).toEqual([3 * c]);
    await saved.close();
    expect(JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8')).use_dora).toBe(
      true,
    );
    const reloaded = await PeftModel.fromPretrained(await loadGpt2(), dir);
    for (const [key, value] of Object.entries(peft.adapterStateDict())) {
      await expectClose(reloaded.adapterStateDict()[key], value, { atol: 0, label: key });
    }
    peft.dispose();
    reloaded.dispose();
  });

  it('fails clearly on bad input, leaving the model untouched', async () => {
    const model = await loadGpt2();
    expect(() => getPeftModel(model, { targetModules: ['q_proj'] })).toThrow(
      /Target modules \["q_proj"\] not found in the base model[\s\S]*transformer\.h\.0\.attn\.c_attn/,
    );
    expect(() => getPeftModel(model, { targetModules: ['wte'] })).toThrow(
      /'transformer\.wte' \(Embedding\) matches targetModules but is not linear-like/,
    );
    expect(() => getPeftModel(model, { r: 0, targetModules: ['c_attn'] })).toThrow(
      /positive integer/,
    );
    expect(() =>
      getPeftModel(model, { targetModules: ['c_attn'], modulesToSave: ['classifier'] }),
    ).toThrow(/modulesToSave entry 'classifier' matches no module/);
    expect(model.numParameters({ trainableOnly: true })).toBe(model.numParameters());

    const wider = await loadGpt2({ nEmbd: 2 * (await readGpt2Config()).nEmbd });
    const loadWider = PeftModel.fromPretrained(wider, ADAPTER_DIR);
    await expect(loadWider).rejects.toThrow(
      /adapter_model\.safetensors: adapter 'default' does not fit this model:[\s\S]*size mismatch for/,
    );
    await expect(loadWider).rejects.toThrow(`base_model.model.${adapted[0]}.lora_A.weight`);
    expect(wider.getSubmodule(adapted[0])).toBeInstanceOf(Conv1D);
    expect(wider.numParameters({ trainableOnly: true })).toBe(wider.numParameters());

    const empty = await tempDir();
    await expect(PeftModel.fromPretrained(model, empty)).rejects.toThrow(
      /adapter_config\.json not found/,
    );
    await writeFile(join(empty, 'adapter_config.json'), await readFile(ADAPTER_CONFIG));
    await expect(PeftModel.fromPretrained(model, empty)).rejects.toThrow(
      /adapter_model\.safetensors not found/,
    );
    const fixture = await readSafetensors(ADAPTER_WEIGHTS);
    const extra = tf.zeros([2]);
    await writeSafetensors(join(empty, 'adapter_model.safetensors'), {
      ...fixture,
      'base_model.model.transformer.h.0.attn.q_proj.lora_A.weight': extra,
    });
    await expect(PeftModel.fromPretrained(model, empty)).rejects.toThrow(
      /unexpected keys: base_model\.model\.transformer\.h\.0\.attn\.q_proj\.lora_A\.weight/,
    );
    expect(model.getSubmodule(adapted[0])).toBeInstanceOf(Conv1D);
    tf.dispose([extra, ...Object.values(fixture)]);
    model.dispose();
    wider.dispose();
  });
});
