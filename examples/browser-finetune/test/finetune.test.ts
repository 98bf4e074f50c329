import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackends, expectNoLeaks } from '@lgpt/core/testing';
import { GPT2Tokenizer } from '@lgpt/gpt2';
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CORPUS } from '../src/corpus.js';
import { writeDefaultCheckpoint } from '../src/default-checkpoint.js';
import { Finetuner } from '../src/finetune.js';
import { subsetTokenizer } from '../src/subset-tokenizer.js';

const SONNETS_FILE = fileURLToPath(new URL('../src/sonnets.txt', import.meta.url));

async function values(params: [string, tf.Variable][]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, p] of params) out.set(name, (await p.data()) as Float32Array);
  return out;
}

function changed(a: Float32Array, b: Float32Array): boolean {
  return a.some((v, i) => v !== b[i]);
}

describeBackends('Finetuner', () => {
  let finetuner: Finetuner;
  let checkpoint: string;

  beforeAll(async () => {
    // The page's default checkpoint, as the Vite plugin writes it at build time.
    checkpoint = await mkdtemp(join(tmpdir(), 'lgpt-browser-checkpoint-'));
    await writeDefaultCheckpoint(checkpoint, await readFile(SONNETS_FILE, 'utf8'));
    finetuner = await Finetuner.create(checkpoint);
  });
  afterAll(() => rm(checkpoint, { recursive: true, force: true }));

  it('loads the default checkpoint with the cut-down tokenizer it was saved with', async () => {
    const subset = subsetTokenizer(await GPT2Tokenizer.load(), CORPUS);
    expect(finetuner.tokenizer.vocabJson()).toEqual(subset.vocabJson());
    expect(finetuner.tokenizer.encode(CORPUS)).toEqual(subset.encode(CORPUS));
    expect(finetuner.model.config.vocabSize).toBe(subset.vocabSize);
  });

  it('trains the LoRA weights only, and a step leaves no tensors behind', async () => {
    const all = finetuner.peft.namedParameters();
    const trainable = new Set(
      finetuner.peft.namedParameters({ trainableOnly: true }).map(([n]) => n),
    );
    expect([...trainable].every((name) => /\.lora_[AB]\.default\.weight$/.test(name))).toBe(true);
    const before = await values(all);

    // The first step creates AdamW's state; the second must not add a tensor.
    const first = await finetuner.trainStep();
    const second = await expectNoLeaks(() => finetuner.trainStep(), 'trainStep');
    expect(Number.isFinite(first) && Number.isFinite(second)).toBe(true);

    const after = await values(all);
    for (const [name, value] of before) {
      expect(changed(value, after.get(name)!), name).toBe(trainable.has(name));
    }
    const stateFor = new Set(finetuner.optimizer.stateNames());
    const trainableVariables = finetuner.peft.parameters({ trainableOnly: true });
    expect(stateFor).toEqual(new Set(trainableVariables.map((v) => v.name)));
  });

  it('generates a continuation without leaking tensors', async () => {
    const seen: string[] = [];
    // A few tokens: decoding on WebGPU in Node (SwiftShader) takes about 1.5 s a token.
    const maxNewTokens = 4;
    const { text, tokens } = await expectNoLeaks(
      () => finetuner.generate('From fairest creatures', (t) => seen.push(t), maxNewTokens),
      'generate',
    );
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(maxNewTokens);
    expect(seen).toHaveLength(tokens);
    expect(seen.at(-1)).toBe(text);
  });

  it('rejects an empty prompt, a bad length and a prompt too long for the model', async () => {
    await expect(finetuner.generate('', () => {})).rejects.toThrow('the prompt is empty');
    await expect(finetuner.generate('x', () => {}, 0)).rejects.toThrow('got 0');
    const long = 'thee '.repeat(finetuner.model.config.nPositions);
    await expect(finetuner.generate(long, () => {})).rejects.toThrow(/takes at most \d+/);
  });
});
