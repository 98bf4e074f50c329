import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Linear, Module, Rng } from '@lgpt/core';
import { describeBackends } from '@lgpt/core/testing';
import { describe, expect, it } from 'vitest';
import { LoraConfig } from '../src/config.js';
import { fromPeftDict } from '../src/peft-json.js';
import { getPeftModel, PeftModel } from '../src/peft-model.js';
import { tempDir } from './support/files.js';
import { ADAPTER_DIR } from './support/gpt2.js';

const fixture = async () =>
  JSON.parse(await readFile(join(ADAPTER_DIR, 'adapter_config.json'), 'utf8')) as Record<
    string,
    unknown
  >;

describe('adapter_config.json: every field LoraConfig reads is checked, naming file and key', () => {
  const cases: [string, unknown, RegExp][] = [
    // PEFT 0.20 loads these and fails later in `lora_alpha / r` (TypeError); JS would give NaN / 8.
    ['lora_alpha', 'sixteen', /lora_alpha must be a number .*, got "sixteen"/],
    ['lora_alpha', null, /lora_alpha must be a number .*, got null/],
    ['target_modules', 5, /target_modules must be a list of module names, .*got 5/],
    ['target_modules', ['c_attn', 3], /target_modules must be .*got \["c_attn",3\]/],
    ['r', '8', /r must be a positive integer, got "8"/],
    ['r', 0, /r must be a positive integer, got 0/],
    ['r', 2.5, /r must be a positive integer, got 2.5/],
    ['lora_dropout', 1.5, /lora_dropout must be a number in \[0, 1\), got 1.5/],
    ['lora_dropout', '0.1', /lora_dropout must be a number in \[0, 1\)/],
    ['rank_pattern', { c_attn: -4 }, /rank_pattern must be .*positive integer ranks/],
    ['rank_pattern', null, /rank_pattern must be an object/],
    [
      'alpha_pattern',
      { c_attn: 'x' },
      /alpha_pattern must be an object mapping patterns to numbers/,
    ],
    ['layers_to_transform', [0, -1], /layers_to_transform must be a layer index/],
    ['modules_to_save', 'score', /modules_to_save must be a list of module names or null/],
    ['use_rslora', 'yes', /use_rslora must be true or false, got "yes"/],
    ['fan_in_fan_out', null, /fan_in_fan_out must be true or false, got null/],
    ['bias', 'some', /bias must be "none", "all" or "lora_only"/],
    ['init_lora_weights', null, /init_lora_weights must be true, false or a method name/],
    ['task_type', 3, /task_type must be a string or null/],
  ];
  for (const [key, value, message] of cases) {
    it(`${key}: ${JSON.stringify(value)}`, async () => {
      const dict = { ...(await fixture()), [key]: value };
      expect(() => fromPeftDict(dict, 'adapter/adapter_config.json')).toThrow(
        new RegExp(`^adapter/adapter_config\\.json: ${message.source}`),
      );
    });
  }

  it('a key named like an Object.prototype member is not a LoraConfig field', async () => {
    // It used to be looked up with `FIELD_KEYS[key]`, which finds Object.prototype.toString.
    const config = fromPeftDict({ ...(await fixture()), toString: null }, 'cfg.json');
    expect(Object.hasOwn(config.peftExtras, 'toString')).toBe(true);
    expect(config.loraAlpha).toBe((await fixture()).lora_alpha);
  });

  it('a missing key takes PEFT 0.20 defaults, as PEFT does', async () => {
    const { lora_alpha: _, ...rest } = await fixture();
    expect(fromPeftDict(rest, 'cfg.json').loraAlpha).toBe(8);
  });
});

class TwoLayers extends Module {
  readonly first: Linear;
  readonly second: Linear;
  constructor() {
    super();
    const rng = new Rng(0);
    this.first = this.registerModule('first', new Linear(4, 4, { rng }));
    this.second = this.registerModule('second', new Linear(4, 2, { rng }));
  }
}

const config = () => new LoraConfig({ r: 2, targetModules: ['first', 'second'] });

describeBackends('adapter names', () => {
  it('refuses names that are not one plain path segment', async () => {
    for (const name of ['/', '..', '.', '', 'a/b', 'a\\b', '../up', 'v1.5', 'nul\0']) {
      expect(() => getPeftModel(new TwoLayers(), config(), name), JSON.stringify(name)).toThrow(
        /invalid adapter name .* must be non-empty and contain no '\/', '\\', '\.' or NUL/,
      );
    }
    const peft = getPeftModel(new TwoLayers(), config());
    expect(() => peft.addAdapter('/', config())).toThrow(/invalid adapter name "\/"/);
    const dir = await tempDir();
    await peft.savePretrained(dir);
    // The default adapter's files are intact: nothing was written for the refused name.
    expect((await readdir(dir)).sort()).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
    ]);
    peft.dispose();
  });

  it('accepts adapters named like Object.prototype members', async () => {
    const peft = getPeftModel(new TwoLayers(), config());
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      peft.addAdapter(name, config());
      expect(Object.hasOwn(peft.peftConfig, name)).toBe(true);
      peft.setAdapter(name);
      expect(peft.activeAdapter).toBe(name);
    }
    const dir = await tempDir();
    await peft.savePretrained(dir);
    const loaded = await PeftModel.fromPretrained(new TwoLayers(), join(dir, 'toString'), {
      adapterName: 'toString',
    });
    expect(Object.keys(loaded.peftConfig)).toEqual(['toString']);
    loaded.dispose();
    peft.setAdapter('default');
    peft.deleteAdapter('constructor');
    expect(Object.hasOwn(peft.peftConfig, 'constructor')).toBe(false);
    peft.dispose();
  });
});
