import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GPT2_DEFAULTS, GPT2_PRESET_NAMES, GPT2Config, gpt2Preset } from '../src/index.js';
import { MODEL_DIR } from './support/fixtures.js';

const fixtureJson = () => JSON.parse(readFileSync(`${MODEL_DIR}/config.json`, 'utf8'));

describe('GPT2Config', () => {
  it('reads a Hugging Face config.json', () => {
    const json = fixtureJson();
    const config = GPT2Config.fromJSON(json);
    expect(config.vocabSize).toBe(json.vocab_size);
    expect(config.nPositions).toBe(json.n_positions);
    expect(config.nEmbd).toBe(json.n_embd);
    expect(config.nLayer).toBe(json.n_layer);
    expect(config.nHead).toBe(json.n_head);
    expect(config.innerDim).toBe(json.n_inner ?? 4 * json.n_embd);
    expect(config.activationFunction).toBe(json.activation_function);
    expect(config.layerNormEpsilon).toBe(json.layer_norm_epsilon);
    expect(config.eosTokenId).toBe(json.eos_token_id);
    expect(config.scaleAttnWeights).toBe(json.scale_attn_weights);
  });

  it('writes back every key it read, unknown ones included', () => {
    const json = fixtureJson();
    const written = GPT2Config.fromJSON(json).toJSON();
    for (const [key, value] of Object.entries(json)) expect(written[key], key).toEqual(value);
  });

  it("keeps keys it does not model (an adapter's settings) in extra and writes them back", () => {
    const adapterKeys = {
      use_kan: true,
      lora_config: { r: 4, lora_alpha: 8, target_modules: ['c_attn'] },
      hidden_dropout_prob: 0.2,
    };
    const config = GPT2Config.fromJSON({ ...fixtureJson(), ...adapterKeys });
    expect(config.extra).toMatchObject(adapterKeys);
    expect(config.toJSON()).toMatchObject(adapterKeys);
    expect(Object.keys(config.fields())).not.toContain('use_kan');
    const changed = config.with({ nLayer: 1 }, { use_kan: false });
    expect(changed.extra.use_kan).toBe(false);
    expect(changed.extra.lora_config).toEqual(adapterKeys.lora_config);
    expect(changed.nLayer).toBe(1);
  });

  it('declares 19 Hugging Face fields with their JSON names and types', () => {
    expect(Object.keys(GPT2_DEFAULTS)).toHaveLength(19);
    expect(() => GPT2Config.fromJSON({ n_embd: '768' })).toThrow(/n_embd must be a number/);
    expect(() => GPT2Config.fromJSON({ scale_attn_weights: 1 })).toThrow(
      /scale_attn_weights must be a boolean/,
    );
    expect(GPT2Config.fromJSON({ bos_token_id: null, n_inner: null }).bosTokenId).toBeNull();
    expect(() => GPT2Config.fromJSON({ n_layer: null })).toThrow(/n_layer must be a number/);
  });

  it('has the GPT-2 presets and a tiny one with the real vocabulary', () => {
    const sizes = GPT2_PRESET_NAMES.map((name) => {
      const c = gpt2Preset(name);
      return [name, c.nLayer, c.nEmbd, c.nHead, c.vocabSize];
    });
    expect(sizes).toEqual([
      ['tiny', 4, 128, 4, 50257],
      ['gpt2', 12, 768, 12, 50257],
      ['gpt2-medium', 24, 1024, 16, 50257],
      ['gpt2-large', 36, 1280, 20, 50257],
      ['gpt2-xl', 48, 1600, 25, 50257],
    ]);
    expect(gpt2Preset('gpt2', { nLayer: 2 }).nLayer).toBe(2);
  });

  it('rejects bad values, naming the config.json key', () => {
    const json = fixtureJson();
    expect(() => GPT2Config.fromJSON({ ...json, n_head: 5 }, 'x/config.json')).toThrow(
      /x\/config.json: n_embd \(\d+\) must be divisible by n_head \(5\)/,
    );
    expect(() => GPT2Config.fromJSON({ ...json, activation_function: 'mish' })).toThrow(
      /activation_function 'mish' is not supported/,
    );
    expect(() => GPT2Config.fromJSON({ ...json, n_layer: '2' })).toThrow(
      /n_layer must be a number/,
    );
    expect(() => GPT2Config.fromJSON({ ...json, eos_token_id: json.vocab_size })).toThrow(
      /eos_token_id \d+ is outside the vocabulary/,
    );
    expect(() => GPT2Config.fromJSON({ ...json, attn_pdrop: 1 })).toThrow(
      /attn_pdrop must be in \[0, 1\)/,
    );
    expect(() => GPT2Config.fromJSON({ ...json, add_cross_attention: true })).toThrow(
      /add_cross_attention is not supported/,
    );
    expect(() => gpt2Preset('gpt5' as never)).toThrow(/unknown GPT-2 preset 'gpt5'/);
  });
});
