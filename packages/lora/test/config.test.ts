import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoraConfig } from '../src/config.js';
import { fromPeftDict, fromPeftJson, toPeftDict, toPeftJson } from '../src/peft-json.js';
import { pythonFloatRepr, pythonJsonDumps } from '../src/python-json.js';
import { ADAPTER_DIR } from './support/gpt2.js';

const fixturePath = join(ADAPTER_DIR, 'adapter_config.json');
const readFixture = () => readFile(fixturePath, 'utf8');

describe('LoraConfig', () => {
  it('has PEFT 0.20 defaults', () => {
    const c = new LoraConfig();
    expect([c.r, c.loraAlpha, c.loraDropout, c.bias, c.initLoraWeights]).toEqual([
      8,
      8,
      0,
      'none',
      true,
    ]);
    expect([c.fanInFanOut, c.useRslora, c.useDora, c.loraBias, c.inferenceMode]).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([c.targetModules, c.modulesToSave, c.layersToTransform, c.layersPattern]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect([c.rankPattern, c.alphaPattern]).toEqual([{}, {}]);
  });

  it('scales by alpha / r, or alpha / sqrt(r) with useRslora', () => {
    expect(new LoraConfig({ r: 4, loraAlpha: 8 }).scaling(4, 8)).toBe(2);
    expect(new LoraConfig({ useRslora: true }).scaling(16, 8)).toBe(2);
  });

  it('writes the fixture adapter_config.json byte for byte (PEFT 0.20, json.dumps(indent=2, sort_keys=True))', async () => {
    const text = await readFixture();
    const p = JSON.parse(text);
    // Every LoRA field from the file, set through the camelCase API (the other keys are defaults).
    const config = new LoraConfig({
      r: p.r,
      loraAlpha: p.lora_alpha,
      loraDropout: p.lora_dropout,
      targetModules: p.target_modules,
      excludeModules: p.exclude_modules,
      fanInFanOut: p.fan_in_fan_out,
      bias: p.bias,
      modulesToSave: p.modules_to_save,
      useRslora: p.use_rslora,
      initLoraWeights: p.init_lora_weights,
      layersToTransform: p.layers_to_transform,
      layersPattern: p.layers_pattern,
      rankPattern: p.rank_pattern,
      alphaPattern: p.alpha_pattern,
      useDora: p.use_dora,
      loraBias: p.lora_bias,
      taskType: p.task_type,
      baseModelNameOrPath: p.base_model_name_or_path,
      revision: p.revision,
      inferenceMode: p.inference_mode,
    });
    // PEFT writes no trailing newline; the fixture file ends with one.
    expect(toPeftJson(config)).toBe(text.trimEnd());
    expect(Object.keys(toPeftDict(config)).sort()).toEqual(Object.keys(p).sort());
  });

  it('reads the fixture config and writes it back unchanged', async () => {
    const text = await readFixture();
    const config = fromPeftJson(text, fixturePath);
    expect(config.targetModules).toEqual(JSON.parse(text).target_modules);
    expect(toPeftJson(config)).toBe(text.trimEnd());
  });

  it('keeps inactive PEFT fields it does not implement, and refuses active ones by key', async () => {
    const dict = JSON.parse(await readFixture()) as Record<string, unknown>;
    const kept = fromPeftDict(
      { ...dict, qalora_group_size: 32, some_future_flag: null },
      'cfg.json',
    );
    const written = JSON.parse(toPeftJson(kept));
    expect(written.qalora_group_size).toBe(32);
    expect(written.some_future_flag).toBeNull();
    expect(() => fromPeftDict({ ...dict, use_qalora: true }, 'cfg.json')).toThrow(
      /cfg\.json: use_qalora=true uses a PEFT feature/,
    );
    expect(() => fromPeftDict({ ...dict, peft_type: 'IA3' }, 'cfg.json')).toThrow(
      /cfg\.json: peft_type is "IA3"/,
    );
    expect(() => fromPeftDict({ ...dict, r: 0 }, 'cfg.json')).toThrow(
      /cfg\.json: r must be a positive integer, got 0/,
    );
    expect(() => fromPeftJson('{', 'cfg.json')).toThrow(/cfg\.json: not valid JSON/);
  });

  it('validates like PEFT', () => {
    expect(() => new LoraConfig({ r: 0 })).toThrow(
      /`r` should be a positive integer value but the value passed is 0/,
    );
    expect(() => new LoraConfig({ r: -2 })).toThrow(/positive integer/);
    expect(() => new LoraConfig({ rankPattern: { c_attn: 0 } })).toThrow(/rankPattern\['c_attn'\]/);
    expect(() => new LoraConfig({ targetModules: '.*attn', layersToTransform: [0] })).toThrow(
      /`layersToTransform` cannot be used when `targetModules` is a str/,
    );
    expect(() => new LoraConfig({ targetModules: ['c_attn'], layersPattern: 'h' })).toThrow(
      /`layersToTransform` must also be specified/,
    );
    expect(() => new LoraConfig({ initLoraWeights: 'pissa' as never })).toThrow(
      /"pissa" is not supported/,
    );
    expect(() => new LoraConfig({ loraDropout: 1 })).toThrow(/loraDropout/);
    expect(() => new LoraConfig({ useDora: true, loraBias: true })).toThrow(
      /not supported for DoRA/,
    );
  });

  it('dedupes list targets as PEFT stores them in a set', () => {
    expect(new LoraConfig({ targetModules: ['a', 'b', 'a'] }).targetModules).toEqual(['a', 'b']);
  });
});

describe('Python-compatible JSON', () => {
  it('formats floats like repr()', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1e-5, '1e-05'],
      [1.5e-7, '1.5e-07'],
      [0.0001, '0.0001'],
      [123.25, '123.25'],
      [1e16, '1e+16'],
      [1234567890123456.5, '1234567890123456.5'],
      [-2.5e-10, '-2.5e-10'],
    ];
    for (const [value, repr] of cases) expect(pythonFloatRepr(value)).toBe(repr);
  });

  it('sorts keys, indents by 2, escapes non-ASCII', () => {
    expect(pythonJsonDumps({ b: [1, { z: null, a: 'é' }], a: {} })).toBe(
      '{\n  "a": {},\n  "b": [\n    1,\n    {\n      "a": "\\u00e9",\n      "z": null\n    }\n  ]\n}',
    );
  });
});
