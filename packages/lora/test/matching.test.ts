import { describe, expect, it } from 'vitest';
import { LoraConfig, type LoraConfigInit } from '../src/config.js';
import { checkTargetModuleExists, getPatternKey, isModuleToSave } from '../src/matching.js';

const GPT2_MODULES = [
  'transformer.h.0.attn.c_attn',
  'transformer.h.0.attn.c_proj',
  'transformer.h.0.mlp.c_fc',
  'transformer.h.0.mlp.c_proj',
  'transformer.h.1.attn.c_attn',
  'transformer.h.1.attn.c_proj',
  'transformer.h.1.mlp.c_fc',
  'transformer.h.1.mlp.c_proj',
  'transformer.ln_f',
  'lm_head',
];

function targets(init: LoraConfigInit, keys = GPT2_MODULES): string[] {
  const config = new LoraConfig(init);
  return keys.filter((k) => checkTargetModuleExists(config, k) === 'target');
}

describe('PEFT target matching', () => {
  it('matches a list entry by equality or by "." + entry suffix', () => {
    expect(targets({ targetModules: ['c_proj'] })).toEqual([
      'transformer.h.0.attn.c_proj',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.1.attn.c_proj',
      'transformer.h.1.mlp.c_proj',
    ]);
    expect(targets({ targetModules: ['attn.c_proj'] })).toEqual([
      'transformer.h.0.attn.c_proj',
      'transformer.h.1.attn.c_proj',
    ]);
    expect(targets({ targetModules: ['lm_head'] })).toEqual(['lm_head']);
    // a suffix must start at a '.' boundary
    expect(targets({ targetModules: ['proj'] })).toEqual([]);
    expect(targets({ targetModules: ['xc_proj'] }, ['transformer.h.0.attn.c_proj'])).toEqual([]);
  });

  it('treats a string as a regex that must match the whole name', () => {
    expect(targets({ targetModules: '.*\\.h\\.1\\..*c_(attn|fc)' })).toEqual([
      'transformer.h.1.attn.c_attn',
      'transformer.h.1.mlp.c_fc',
    ]);
    expect(targets({ targetModules: 'c_attn' })).toEqual([]);
    expect(targets({ targetModules: '.*(?P<name>c_fc)' })).toEqual([
      'transformer.h.0.mlp.c_fc',
      'transformer.h.1.mlp.c_fc',
    ]);
  });

  it('applies excludeModules first (list or regex)', () => {
    const config = new LoraConfig({ targetModules: ['c_proj'], excludeModules: ['mlp.c_proj'] });
    expect(checkTargetModuleExists(config, 'transformer.h.0.mlp.c_proj')).toBe('excluded');
    expect(checkTargetModuleExists(config, 'transformer.h.0.attn.c_proj')).toBe('target');
    expect(targets({ targetModules: ['c_proj'], excludeModules: '.*h\\.0.*' })).toEqual([
      'transformer.h.1.attn.c_proj',
      'transformer.h.1.mlp.c_proj',
    ]);
  });

  it('never targets a module listed in modulesToSave, or inside one', () => {
    const config = new LoraConfig({ targetModules: ['c_fc', 'lm_head'], modulesToSave: ['mlp'] });
    expect(checkTargetModuleExists(config, 'transformer.h.0.mlp.c_fc')).toBe('excluded');
    expect(checkTargetModuleExists(config, 'lm_head')).toBe('target');
  });

  it('restricts to layersToTransform, by layersPattern or by the first numbered segment', () => {
    expect(targets({ targetModules: ['c_attn'], layersToTransform: [1] })).toEqual([
      'transformer.h.1.attn.c_attn',
    ]);
    expect(
      targets({ targetModules: ['c_attn'], layersToTransform: 0, layersPattern: 'h' }),
    ).toEqual(['transformer.h.0.attn.c_attn']);
    expect(
      targets({ targetModules: ['c_attn'], layersToTransform: [0], layersPattern: ['blocks'] }),
    ).toEqual([]);
    // an empty list means "all layers", as in PEFT
    expect(targets({ targetModules: ['c_attn'], layersToTransform: [] })).toHaveLength(2);
    // the first numbered segment is the layer (PEFT's lazy match: experts.<e> is not the layer)
    const moe = ['model.layers.1.mlp.experts.0.up_proj', 'model.layers.2.mlp.experts.1.up_proj'];
    expect(targets({ targetModules: ['up_proj'], layersToTransform: [1] }, moe)).toEqual([moe[0]]);
  });

  it('picks rank/alpha pattern keys like PEFT get_pattern_key (first match in order, "." boundary)', () => {
    const keys = ['h\\.0\\.attn\\.c_attn', 'c_attn', 'attn'];
    expect(getPatternKey(keys, 'transformer.h.0.attn.c_attn')).toBe('h\\.0\\.attn\\.c_attn');
    expect(getPatternKey(keys, 'transformer.h.1.attn.c_attn')).toBe('c_attn');
    expect(getPatternKey(keys, 'c_attn')).toBe('c_attn');
    expect(getPatternKey(keys, 'transformer.h.1.mlp.c_fc')).toBe('transformer.h.1.mlp.c_fc');
    expect(getPatternKey(['proj'], 'transformer.h.1.mlp.c_proj')).toBe(
      'transformer.h.1.mlp.c_proj',
    );
  });

  it('matches modulesToSave by plain suffix, as PEFT _set_trainable does', () => {
    expect(isModuleToSave(['ln_f'], 'transformer.ln_f')).toBe(true);
    expect(isModuleToSave(['head'], 'lm_head')).toBe(true);
    expect(isModuleToSave(null, 'lm_head')).toBe(false);
  });

  it('reports an invalid regex with the field at fault', () => {
    expect(() => targets({ targetModules: '(' })).toThrow(
      /targetModules '\(': invalid regular expression/,
    );
  });
});
