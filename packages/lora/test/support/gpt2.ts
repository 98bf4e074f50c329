/**
 * A GPT-2 built from @lgpt/core modules with Hugging Face's module names (transformer.h.{i}.attn.c_attn
 * …), so adapters see the same paths PEFT sees. Test-only: @lgpt/gpt2 depends on this package, so the
 * tests cannot use it. Math follows nanoGPT (the reference of the golden fixtures): causal attention,
 * tanh GELU, logits tied to wte.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Conv1D, Embedding, LayerNorm, Module, ModuleList, readSafetensors } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

export interface Gpt2Config {
  vocab_size: number;
  n_positions: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  layer_norm_epsilon: number;
}

class Attention extends Module {
  cAttn: Conv1D;
  cProj: Conv1D;

  constructor(private readonly config: Gpt2Config) {
    super();
    this.cAttn = this.registerModule('c_attn', new Conv1D(config.n_embd, 3 * config.n_embd));
    this.cProj = this.registerModule('c_proj', new Conv1D(config.n_embd, config.n_embd));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const [batch, time, channels] = x.shape;
    const heads = this.config.n_head;
    const headDim = channels / heads;
    const split = (t: tf.Tensor) =>
      tf.transpose(tf.reshape(t, [batch, time, heads, headDim]), [0, 2, 1, 3]);
    const [q, k, v] = tf.split(this.cAttn.forward(x), 3, 2).map(split);
    const scores = tf.div(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), Math.sqrt(headDim));
    const y = tf.matMul(tf.softmax(tf.add(scores, causalMask(time))), v);
    const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [batch, time, channels]);
    return this.cProj.forward(merged);
  }
}

/** 0 on and below the diagonal, -1e9 above: softmax then gives future positions exactly 0. */
function causalMask(time: number): tf.Tensor {
  const mask = new Float32Array(time * time);
  for (let i = 0; i < time; i++) for (let j = i + 1; j < time; j++) mask[i * time + j] = -1e9;
  return tf.tensor(mask, [time, time]);
}

function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

class Mlp extends Module {
  cFc: Conv1D;
  cProj: Conv1D;

  constructor(config: Gpt2Config) {
    super();
    this.cFc = this.registerModule('c_fc', new Conv1D(config.n_embd, 4 * config.n_embd));
    this.cProj = this.registerModule('c_proj', new Conv1D(4 * config.n_embd, config.n_embd));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.cProj.forward(geluTanh(this.cFc.forward(x)));
  }
}

class Block extends Module {
  ln1: LayerNorm;
  attn: Attention;
  ln2: LayerNorm;
  mlp: Mlp;

  constructor(config: Gpt2Config) {
    super();
    this.ln1 = this.registerModule('ln_1', new LayerNorm(config.n_embd, config.layer_norm_epsilon));
    this.attn = this.registerModule('attn', new Attention(config));
    this.ln2 = this.registerModule('ln_2', new LayerNorm(config.n_embd, config.layer_norm_epsilon));
    this.mlp = this.registerModule('mlp', new Mlp(config));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const h = tf.add(x, this.attn.forward(this.ln1.forward(x)));
    return tf.add(h, this.mlp.forward(this.ln2.forward(h)));
  }
}

class Transformer extends Module {
  wte: Embedding;
  wpe: Embedding;
  h: ModuleList<Block>;
  lnF: LayerNorm;

  constructor(config: Gpt2Config) {
    super();
    this.wte = this.registerModule('wte', new Embedding(config.vocab_size, config.n_embd));
    this.wpe = this.registerModule('wpe', new Embedding(config.n_positions, config.n_embd));
    const blocks = Array.from({ length: config.n_layer }, () => new Block(config));
    this.h = this.registerModule('h', new ModuleList(blocks));
    this.lnF = this.registerModule('ln_f', new LayerNorm(config.n_embd, config.layer_norm_epsilon));
  }
}

export class Gpt2 extends Module {
  transformer: Transformer;

  constructor(readonly config: Gpt2Config) {
    super();
    this.transformer = this.registerModule('transformer', new Transformer(config));
  }

  /** Logits `[batch, time, vocab]` for int ids `[batch, time]`. */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const t = this.transformer;
      const positions = tf.range(0, ids.shape[1]!, 1, 'int32');
      let x = tf.add(t.wte.forward(ids), t.wpe.forward(positions));
      for (const block of t.h) x = block.forward(x);
      const h = t.lnF.forward(x);
      const [batch, time, channels] = h.shape;
      const flat = tf.matMul(tf.reshape(h, [-1, channels]), t.wte.weight, false, true);
      return tf.reshape(flat, [batch, time, this.config.vocab_size]);
    });
  }
}

export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
export const GPT2_DIR = join(FIXTURES, 'gpt2', 'model');
export const ADAPTER_DIR = join(FIXTURES, 'lora', 'adapter');

export async function readGpt2Config(): Promise<Gpt2Config> {
  return JSON.parse(await readFile(join(GPT2_DIR, 'config.json'), 'utf8')) as Gpt2Config;
}

/** The fixture GPT-2 with its weights (or a randomly initialised one of another shape). */
export async function loadGpt2(overrides: Partial<Gpt2Config> = {}): Promise<Gpt2> {
  const config = { ...(await readGpt2Config()), ...overrides };
  const model = new Gpt2(config);
  if (Object.keys(overrides).length === 0) {
    const weights = await readSafetensors(join(GPT2_DIR, 'model.safetensors'));
    model.loadStateDict(weights);
    tf.dispose(Object.values(weights));
  }
  return model;
}
