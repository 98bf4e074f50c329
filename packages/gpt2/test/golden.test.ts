import { describeBackends, expectClose, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GPT2LMHeadModel } from '../src/index.js';
import { valuesAt } from './support/compare.js';
import { goldenTensors, MODEL_DIR } from './support/fixtures.js';

describeBackends('GPT-2 against the reference (golden fixture)', () => {
  let model: GPT2LMHeadModel;
  let golden: Record<string, tf.Tensor>;
  let inputIds: number[][];
  let mask: number[][];
  let valid: number[][];

  beforeAll(async () => {
    model = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
    golden = await goldenTensors();
    inputIds = (await golden.input_ids.array()) as number[][];
    mask = (await golden.attention_mask.array()) as number[][];
    valid = (await golden.valid_positions.array()) as number[][];
  });

  afterAll(() => {
    model.dispose();
    tf.dispose(golden);
  });

  it('gives the reference logits and last hidden states at real tokens', async () => {
    const out = model.forward(inputIds, { attentionMask: mask });
    await expectClose(await valuesAt(out.logits, valid), await valuesAt(golden.logits, valid), {
      atol: 1e-4,
      label: 'logits',
    });
    await expectClose(
      await valuesAt(out.lastHiddenState, valid),
      await valuesAt(golden.hidden_states, valid),
      { atol: 1e-4, label: 'hidden states' },
    );
    expect(out.logits.shape).toEqual(golden.logits.shape);
    tf.dispose(out as unknown as tf.TensorContainer);
  });

  it('generates the reference greedy ids, with the KV cache and by full recompute', async () => {
    const prompt = (await golden.gen_prompt.array()) as number[][];
    const expected = (await golden.gen_tokens.array()) as number[][];
    const maxNewTokens = expected[0].length;
    for (const useCache of [true, false]) {
      // No EOS stop: the reference ran a fixed number of steps.
      const sequences = await model.generate(prompt, { maxNewTokens, useCache, eosTokenId: null });
      expect(sequences).toEqual(prompt.map((row, r) => [...row, ...expected[r]]));
    }
  });

  it('streams the reference logits of the first generation steps', async () => {
    const prompt = (await golden.gen_prompt.array()) as number[][];
    const stepLogits = golden.gen_step_logits;
    const steps = stepLogits.shape[0];
    const seen: Float32Array[] = [];
    for await (const step of model.generateStream(prompt, {
      maxNewTokens: steps,
      eosTokenId: null,
    })) {
      seen.push(step.logits[0]);
    }
    await expectClose(
      seen.flatMap((l) => [...l]),
      stepLogits,
      { atol: 1e-4, label: 'step logits' },
    );
  });

  it('KV-cache logits equal a full recompute', async () => {
    const split = 5;
    const full = model.forward(inputIds);
    const first = model.forward(
      inputIds.map((r) => r.slice(0, split)),
      { useCache: true },
    );
    const rest = model.forward(
      inputIds.map((r) => r.slice(split)),
      { pastKeyValues: first.pastKeyValues, useCache: true },
    );
    const tail = tf.slice(full.logits, [0, split, 0], [-1, -1, -1]);
    await expectClose(rest.logits, tail, { atol: 1e-4, label: 'cached logits' });
    expect(rest.pastKeyValues?.[0].key.shape[2]).toBe(inputIds[0].length);
    tf.dispose([tail, full, first, rest] as unknown as tf.TensorContainer);
  });

  it('right and left padding give the unpadded logits at real tokens', async () => {
    // Each row alone, unpadded, then the batch padded on either side.
    const rows = inputIds.map((ids, r) => ids.filter((_, i) => mask[r][i] === 1));
    const width = Math.max(...rows.map((r) => r.length)) + 2;
    for (const side of ['right', 'left'] as const) {
      const padded = rows.map((ids) => {
        const pads = new Array(width - ids.length).fill(0);
        return side === 'right' ? [...ids, ...pads] : [...pads, ...ids];
      });
      const padMask = rows.map((ids) => {
        const ones = new Array(ids.length).fill(1);
        const zeros = new Array(width - ids.length).fill(0);
        return side === 'right' ? [...ones, ...zeros] : [...zeros, ...ones];
      });
      const batch = model.forward(padded, { attentionMask: padMask });
      for (const [r, ids] of rows.entries()) {
        const alone = model.forward([ids]);
        const realOnly = [padMask[r]];
        const row = tf.slice(batch.logits, [r, 0, 0], [1, -1, -1]);
        await expectClose(await valuesAt(row, realOnly), alone.logits, {
          atol: 1e-4,
          label: `${side}-padded row ${r}`,
        });
        tf.dispose([row, alone] as unknown as tf.TensorContainer);
      }
      tf.dispose(batch as unknown as tf.TensorContainer);
    }
  });

  it('leaks no tensors in forward or generate', async () => {
    const start = tf.memory().numTensors;
    const out = await expectNoLeaks(
      () =>
        model.forward(inputIds, { attentionMask: mask, useCache: true, outputHiddenStates: true }),
      'forward',
    );
    // Disposing what forward returned frees everything it made.
    tf.dispose(out as unknown as tf.TensorContainer);
    expect(tf.memory().numTensors).toBe(start);
    await expectNoLeaks(
      () =>
        model.generate(
          inputIds.map((r) => r.slice(0, 4)),
          { maxNewTokens: 3, doSample: true, seed: 1 },
        ),
      'generate',
    );
  });
});
