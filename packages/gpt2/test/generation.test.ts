import { describeBackends, expectNoLeaks } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { GPT2LMHeadModel, type IntMatrix } from '../src/index.js';
import { MODEL_DIR } from './support/fixtures.js';

describeBackends('generate', () => {
  let model: GPT2LMHeadModel;
  // Prompts of different lengths (ids from the fixture vocabulary).
  const prompts = [
    [11, 22, 33, 44, 55],
    [7, 8],
    [300, 301, 302],
  ];
  const leftPadded = (pad: number) => {
    const width = Math.max(...prompts.map((p) => p.length));
    return {
      ids: prompts.map((p) => [...new Array(width - p.length).fill(pad), ...p]),
      mask: prompts.map((p) => [...new Array(width - p.length).fill(0), ...p.map(() => 1)]),
    };
  };

  beforeAll(async () => {
    model = await GPT2LMHeadModel.fromPretrained(MODEL_DIR);
  });
  afterAll(() => model.dispose());

  it('runs the prompt once, then one token per row per step (KV cache)', async () => {
    // Row lengths of each forward's input, read when called (generation then extends the rows).
    const widths: number[][] = [];
    const forward = model.transformer.forward.bind(model.transformer);
    const spy = vi.spyOn(model.transformer, 'forward').mockImplementation((input, options) => {
      widths.push((input as number[][]).map((r) => r.length));
      return forward(input, options);
    });
    const { ids, mask } = leftPadded(0);
    await model.generate(ids, { attentionMask: mask, maxNewTokens: 4, eosTokenId: null });
    expect(widths).toEqual([ids.map((r) => r.length), ...new Array(3).fill(ids.map(() => 1))]);
    widths.length = 0;
    await model.generate(ids, {
      attentionMask: mask,
      maxNewTokens: 3,
      eosTokenId: null,
      useCache: false,
    });
    expect(widths.map(([w]) => w)).toEqual([0, 1, 2].map((i) => ids[0].length + i));
    spy.mockRestore();
  });

  it('gives a left-padded batch the same tokens as each prompt alone', async () => {
    const { ids, mask } = leftPadded(0);
    const maxNewTokens = 6;
    const batch = await model.generate(ids, {
      attentionMask: mask,
      maxNewTokens,
      eosTokenId: null,
    });
    for (const [r, prompt] of prompts.entries()) {
      const [alone] = await model.generate([prompt], { maxNewTokens, eosTokenId: null });
      expect(batch[r].slice(ids[r].length - prompt.length)).toEqual(alone);
    }
  });

  it('stops a row at EOS, pads it, and stops when every row is done', async () => {
    const { ids, mask } = leftPadded(0);
    const free = await model.generate(ids, {
      attentionMask: mask,
      maxNewTokens: 6,
      eosTokenId: null,
    });
    const width = ids[0].length;
    // Make row 0's second new token the EOS token.
    const eos = free[0][width + 1];
    const pad = 0;
    const stopped = await model.generate(ids, {
      attentionMask: mask,
      maxNewTokens: 6,
      eosTokenId: eos,
      padTokenId: pad,
    });
    const firstEos = stopped[0].indexOf(eos, width);
    expect(firstEos).toBeLessThanOrEqual(width + 1);
    expect(stopped[0].slice(firstEos + 1).every((t) => t === pad)).toBe(true);
    // With every row's first new token as an EOS, generation ends after one step.
    const firsts = free.map((row) => row[width]);
    const oneStep = await model.generate(ids, {
      attentionMask: mask,
      maxNewTokens: 6,
      eosTokenId: firsts,
    });
    expect(oneStep.map((row) => row.length)).toEqual(ids.map(() => width + 1));
  });

  it('samples reproducibly with a seed; top-k 1 is greedy', async () => {
    const prompt = [prompts[0]];
    const options = {
      maxNewTokens: 5,
      doSample: true,
      eosTokenId: null,
      topP: 0.9,
      temperature: 1.3,
    };
    const a = await model.generate(prompt, { ...options, seed: 42 });
    expect(await model.generate(prompt, { ...options, seed: 42 })).toEqual(a);
    expect(await model.generate(prompt, { ...options, seed: 43 })).not.toEqual(a);
    const greedy = await model.generate(prompt, { maxNewTokens: 5, eosTokenId: null });
    expect(await model.generate(prompt, { ...options, topK: 1, seed: 9 })).toEqual(greedy);
  });

  it('never repeats an n-gram with noRepeatNgramSize', async () => {
    const n = 2;
    const [row] = await model.generate([prompts[0]], {
      maxNewTokens: 20,
      eosTokenId: null,
      noRepeatNgramSize: n,
    });
    const grams = row.slice(0, -1).map((t, i) => `${t},${row[i + 1]}`);
    expect(new Set(grams).size).toBe(grams.length);
  });

  it('streams steps through onToken and the async iterator, freeing all on early exit', async () => {
    const seen: number[][] = [];
    const full = await model.generate([prompts[1]], {
      maxNewTokens: 5,
      eosTokenId: null,
      onToken: (step) => {
        seen.push(step.tokens);
      },
    });
    expect(seen.map(([t]) => t)).toEqual(full[0].slice(prompts[1].length));
    const before = tf.memory().numTensors;
    const streamed: number[] = [];
    for await (const step of model.generateStream([prompts[1]], {
      maxNewTokens: 5,
      eosTokenId: null,
    })) {
      streamed.push(step.tokens[0]);
      if (streamed.length === 2) break;
    }
    expect(streamed).toEqual(full[0].slice(prompts[1].length, prompts[1].length + 2));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts int32 tensors and leaks nothing', async () => {
    const { ids, mask } = leftPadded(0);
    const idsT = tf.tensor2d(ids, undefined, 'int32');
    const maskT = tf.tensor2d(mask, undefined, 'int32');
    const fromTensors = await expectNoLeaks(
      () =>
        model.generate(idsT as IntMatrix, {
          attentionMask: maskT,
          maxNewTokens: 3,
          eosTokenId: null,
        }),
      'generate',
    );
    expect(fromTensors).toEqual(
      await model.generate(ids, { attentionMask: mask, maxNewTokens: 3, eosTokenId: null }),
    );
    tf.dispose([idsT, maskT]);
  });

  it('rejects bad requests clearly', async () => {
    const { vocabSize, nPositions } = model.config;
    const { ids, mask } = leftPadded(0);
    const right = ids.map((r, i) => [...r].reverse().map((_, j) => ids[i][j]));
    const rightMask = mask.map((r) => [...r].reverse());
    await expect(model.generate(right, { attentionMask: rightMask })).rejects.toThrow(
      /ends in padding: generation needs left padding/,
    );
    await expect(model.generate([[1, 2]], { maxNewTokens: nPositions })).rejects.toThrow(
      new RegExp(
        `prompt length 2 \\+ maxNewTokens ${nPositions} exceeds n_positions ${nPositions}`,
      ),
    );
    await expect(model.generate([[vocabSize]])).rejects.toThrow(
      /inputIds\[0\]\[0\] = \d+ is not an integer in \[0, \d+\)/,
    );
    await expect(model.generate([[1, 2], [3]])).rejects.toThrow(/rows have different lengths/);
    await expect(model.generate([[1]], { doSample: true, temperature: 0 })).rejects.toThrow(
      /temperature must be > 0/,
    );
    expect(() => model.forward([[1, 2]], { attentionMask: [[1, 1, 1]] })).toThrow(
      /attentionMask has shape \[1,3\], expected \[1, 2\]/,
    );
  });
});
