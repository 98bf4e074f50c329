import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Conv1D,
  initBackend,
  LayerNorm,
  Linear,
  Module,
  ModuleDict,
  ModuleList,
  StateDictError,
} from '../src/index.js';

class Attention extends Module {
  cAttn = this.registerModule('c_attn', new Conv1D(4, 12));
  cProj = this.registerModule('c_proj', new Conv1D(4, 4));
}

class Block extends Module {
  ln1 = this.registerModule('ln_1', new LayerNorm(4));
  attn = this.registerModule('attn', new Attention());
}

class Tiny extends Module {
  h = this.registerModule('h', new ModuleList([new Block(), new Block()]));
  head = this.registerModule('head', new Linear(4, 2, { bias: false }));
}

beforeAll(() => initBackend('cpu'));

describe('Module', () => {
  it('names parameters with stable dotted paths in registration order', () => {
    const m = new Tiny();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'h.0.ln_1.weight',
      'h.0.ln_1.bias',
      'h.0.attn.c_attn.weight',
      'h.0.attn.c_attn.bias',
      'h.0.attn.c_proj.weight',
      'h.0.attn.c_proj.bias',
      'h.1.ln_1.weight',
      'h.1.ln_1.bias',
      'h.1.attn.c_attn.weight',
      'h.1.attn.c_attn.bias',
      'h.1.attn.c_proj.weight',
      'h.1.attn.c_proj.bias',
      'head.weight',
    ]);
    expect(m.getParameter('h.1.attn.c_attn.weight').shape).toEqual([4, 12]);
    expect(m.numParameters()).toBe(2 * (4 + 4 + 48 + 12 + 16 + 4) + 8);
    m.dispose();
  });

  it('freezes and lists trainable parameters per module', () => {
    const m = new Tiny();
    m.requiresGrad(false);
    m.getSubmodule('h.1.attn').requiresGrad(true);
    expect(m.namedParameters({ trainableOnly: true }).map(([n]) => n)).toEqual([
      'h.1.attn.c_attn.weight',
      'h.1.attn.c_attn.bias',
      'h.1.attn.c_proj.weight',
      'h.1.attn.c_proj.bias',
    ]);
    m.dispose();
  });

  it('propagates train/eval to every child', () => {
    const m = new Tiny().eval();
    expect([...m.namedModules()].every(([, c]) => !c.training)).toBe(true);
    m.train();
    expect(m.getSubmodule('h.0.attn.c_proj').training).toBe(true);
    m.dispose();
  });

  it('setSubmodule swaps registry entry, typed field and list item', () => {
    const m = new Tiny();
    const replacement = new Conv1D(4, 12);
    const old = m.setSubmodule('h.0.attn.c_attn', replacement);
    expect(m.h.at(0).attn.cAttn).toBe(replacement);
    expect(m.getSubmodule('h.0.attn.c_attn')).toBe(replacement);
    const newBlock = new Block();
    m.setSubmodule('h.1', newBlock);
    expect(m.h.at(1)).toBe(newBlock);
    expect([...m.h][1]).toBe(newBlock);
    old.dispose();
    m.dispose();
  });

  it('round-trips stateDict into a fresh module', () => {
    const a = new Tiny();
    const b = new Tiny();
    b.loadStateDict(a.stateDict());
    for (const [name, p] of a.namedParameters()) {
      expect(Array.from(b.getParameter(name).dataSync())).toEqual(Array.from(p.dataSync()));
    }
    a.dispose();
    b.dispose();
  });

  it('reports every missing/unexpected key and shape mismatch together', () => {
    const m = new Tiny();
    const dict = { ...m.stateDict() };
    delete dict['h.0.ln_1.bias'];
    delete dict['head.weight'];
    const extra = tf.zeros([3]);
    const wrong = tf.zeros([4, 11]);
    dict['h.0.attn.masked_bias'] = extra;
    dict['h.1.attn.c_attn.weight'] = wrong;
    let error: StateDictError | undefined;
    try {
      m.loadStateDict(dict);
    } catch (e) {
      error = e as StateDictError;
    }
    expect(error).toBeInstanceOf(StateDictError);
    expect(error!.missingKeys).toEqual(['h.0.ln_1.bias', 'head.weight']);
    expect(error!.unexpectedKeys).toEqual(['h.0.attn.masked_bias']);
    expect(error!.message).toContain(
      'size mismatch for h.1.attn.c_attn.weight: expected [4,12], got [4,11]',
    );
    expect(error!.message).toContain('missing keys: h.0.ln_1.bias, head.weight');

    // Non-strict loading tolerates missing/unexpected keys but never a wrong shape.
    delete dict['h.1.attn.c_attn.weight'];
    const result = m.loadStateDict(dict, { strict: false });
    expect(result.missingKeys).toEqual(['h.0.ln_1.bias', 'h.1.attn.c_attn.weight', 'head.weight']);
    expect(result.unexpectedKeys).toEqual(['h.0.attn.masked_bias']);
    tf.dispose([extra, wrong]);
    m.dispose();
  });

  it('lists a shared (tied) variable once and disposes everything', () => {
    class Holder extends Module {
      constructor(shared: tf.Variable) {
        super();
        this.registerParameter('weight', shared);
      }
    }
    // The same variable under two names, as GPT-2 ties lm_head to wte.
    class Tied extends Module {
      a = this.registerModule('a', new Linear(3, 3));
      b = this.registerModule('b', new Holder(this.a.weight));
    }
    const before = tf.memory().numTensors;
    const m = new Tied();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['a.weight', 'a.bias']);
    expect(Object.keys(m.stateDict())).toEqual(['a.weight', 'a.bias', 'b.weight']);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ModuleDict names children by key and can drop one', () => {
    const d = new ModuleDict({ default: new Linear(2, 2), other: new Linear(2, 3) });
    expect(d.keys()).toEqual(['default', 'other']);
    expect(d.namedParameters().map(([n]) => n)).toEqual([
      'default.weight',
      'default.bias',
      'other.weight',
      'other.bias',
    ]);
    const removed = d.delete('default');
    expect(d.has('default')).toBe(false);
    expect(() => d.get('default')).toThrow(/no key 'default' \(keys: other\)/);
    removed?.dispose();
    d.dispose();
  });

  it('clone() deep-copies variables, buffers, children and typed fields', async () => {
    class WithBuffer extends Module {
      lin = this.registerModule('lin', new Linear(2, 2));
      grid = this.registerBuffer('grid', tf.tensor1d([1, 2, 3]));
    }
    const m = new Tiny();
    m.getParameter('head.weight').trainable = false;
    const c = m.clone();
    expect(c).toBeInstanceOf(Tiny);
    expect(c.namedParameters().map(([n]) => n)).toEqual(m.namedParameters().map(([n]) => n));
    expect(c.h.at(1)).not.toBe(m.h.at(1));
    expect(c.h.at(1).attn.cAttn).toBe(c.getSubmodule('h.1.attn.c_attn'));
    expect(c.head.weight).toBe(c.getParameter('head.weight'));
    expect(c.head.weight.trainable).toBe(false);
    m.h.at(0).ln1.weight.assign(tf.fill([4], 7));
    expect(Array.from(await c.h.at(0).ln1.weight.data())).toEqual([1, 1, 1, 1]);

    const b = new WithBuffer();
    const bc = b.clone();
    expect(bc.grid).not.toBe(b.grid);
    expect(Array.from(await bc.grid.data())).toEqual([1, 2, 3]);
    for (const x of [m, c, b, bc]) x.dispose();
  });
});
