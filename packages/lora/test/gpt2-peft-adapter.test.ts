import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '@lgpt/core';
import { describeBackends, expectClose } from '@lgpt/core/testing';
import { GPT2LMHeadModel } from '@lgpt/gpt2';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PeftModel } from '../src/index.js';

const MODEL_DIR = fileURLToPath(new URL('./fixtures/gpt2/model/', import.meta.url));
const LORA_DIR = fileURLToPath(new URL('./fixtures/lora/', import.meta.url));
const ADAPTER_DIR = `${LORA_DIR}adapter`;

/** The rows `[…, X]` of a `[B, T, X]` tensor at positions where `keep[b][t]` is 1, flattened. */
async function valuesAt(t: tf.Tensor, keep: number[][]): Promise<number[]> {
  const [batch, length] = t.shape;
  const width = t.size / (batch * length);
  const data = await t.data();
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < length; i++) {
      if (keep[b][i] !== 1) continue;
      const start = (b * length + i) * width;
      for (let j = 0; j < width; j++) out.push(data[start + j]);
    }
  }
  return out;
}

/** The PEFT adapter saved by Python for the fixture GPT-2, applied to `@lgpt/gpt2` itself. */
describeBackends('a Python PEFT LoRA adapter on GPT2LMHeadModel', () => {
  let golden: Record<string, tf.Tensor>;
  let inputIds: number[][];
  let mask: number[][];
  let dir: string;

  beforeAll(async () => {
    golden = await readSafetensors(`${LORA_DIR}golden.safetensors`);
    inputIds = (await golden.input_ids.array()) as number[][];
    mask = (await golden.attention_mask.array()) as number[][];
    dir = await mkdtemp(join(tmpdir(), 'lgpt-gpt2-peft-'));
  });

  afterAll(async () => {
    tf.dispose(golden);
    await rm(dir, { recursive: true, force: true });
  });

  // The reference ran without a mask, so only real (unpadded) positions are comparable.
  const logitsAtRealTokens = async (model: GPT2LMHeadModel) => {
    const out = model.forward(inputIds, { attentionMask: mask });
    const values = await valuesAt(out.logits, mask);
    tf.dispose(out as unknown as tf.TensorContainer);
    return values;
  };

  it('reproduces the golden logits and greedy ids, unmerged and after mergeAndUnload', async () => {
    const peft = await PeftModel.fromPretrained(
      await GPT2LMHeadModel.fromPretrained(MODEL_DIR),
      ADAPTER_DIR,
    );
    const expected = await valuesAt(golden.logits, mask);
    await expectClose(await logitsAtRealTokens(peft.model), expected, {
      atol: 1e-4,
      label: 'logits with the adapter',
    });
    const prompt = (await golden.gen_prompt.array()) as number[][];
    const tokens = (await golden.gen_tokens.array()) as number[][];
    const generated = await peft.model.generate(prompt, {
      maxNewTokens: tokens[0].length,
      eosTokenId: null,
    });
    expect(generated).toEqual([[...prompt[0], ...tokens[0]]]);

    const merged = peft.mergeAndUnload();
    expect(merged.namedParameters().some(([name]) => name.includes('lora_'))).toBe(false);
    await expectClose(await logitsAtRealTokens(merged), expected, {
      atol: 1e-4,
      label: 'logits after mergeAndUnload',
    });
    merged.dispose();
  });

  it('saves the adapter with the same tensor names, values and config keys it was loaded from', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
    const peft = await PeftModel.fromPretrained(model, ADAPTER_DIR);
    await peft.savePretrained(dir, { overwrite: true });
    const original = await readSafetensors(`${ADAPTER_DIR}/adapter_model.safetensors`);
    const saved = await readSafetensors(`${dir}/adapter_model.safetensors`);
    expect(Object.keys(saved).sort()).toEqual(Object.keys(original).sort());
    for (const [key, tensor] of Object.entries(original)) {
      expect(Array.from(await saved[key].data()), key).toEqual(Array.from(await tensor.data()));
    }
    const config = (path: string) => readFile(path, 'utf8').then((text) => JSON.parse(text));
    const ours = await config(`${dir}/adapter_config.json`);
    const theirs = await config(`${ADAPTER_DIR}/adapter_config.json`);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours).toEqual(theirs);
    tf.dispose([...Object.values(original), ...Object.values(saved)]);
    model.dispose();
  });
});
