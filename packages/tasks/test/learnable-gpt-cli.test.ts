import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDefaultRng, initBackend, readSafetensors } from '@lgpt/core';
import { expectClose } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_VARIANTS } from '../src/index.js';
import { seedModelOnBase } from '../src/learnable-gpt/recipe-run.js';
import { SEED_DROPOUTS } from '../src/learnable-gpt/seed-config.js';
import { loadModel } from '../src/models/load-model.js';
import { fixtureCheckpoint } from './support/fixture-model.js';
import { lgptOrThrow as lgpt } from './support/run-cli.js';
import { seedFixturePath, seedGolden } from './support/seed-fixtures.js';
import { smallDataDir } from './support/small-data.js';

describe('the learnable-gpt recipe on a checkpoint folder', () => {
  let work: string;
  let model: string;
  let data: string;
  /** Enough SST lines for every class to occur in the train file (the original counts them). */
  let allClasses: string;
  beforeAll(async () => {
    await initBackend('wasm');
    work = await mkdtemp(join(tmpdir(), 'lgpt-recipe-'));
    // The checkpoint the seed fixtures were made from, with a tokenizer that fits its vocabulary.
    model = await fixtureCheckpoint();
    data = await smallDataDir(41);
    allClasses = await smallDataDir(120);
  });
  afterAll(async () => {
    for (const dir of [work, model, data, allClasses])
      await rm(dir, { recursive: true, force: true });
  });

  it("maps the checkpoint's weights as the original's from_pretrained does", async () => {
    const golden = seedGolden();
    for (const variant of SEED_VARIANTS) {
      const fixture = golden.fixtures[`paraphrase.${variant}`];
      const init = await readSafetensors(seedFixturePath(fixture.files.init));
      const base = await loadModel({ model, variant: 'base', seed: 1 });
      const { model: seed, pretrainedKeys } = seedModelOnBase('paraphrase', variant, base, {
        numLabels: null,
        dropouts: SEED_DROPOUTS,
        rng: getDefaultRng(),
      });
      const state = seed.stateDict();
      expect(Object.keys(state).sort(), variant).toEqual(Object.keys(init).sort());
      for (const key of pretrainedKeys) {
        await expectClose(state[key], init[key], { atol: 0, label: `${variant} ${key}` });
      }
      seed.dispose();
      tf.dispose(Object.values(init));
    }
  });

  it('rejects what the original does not have', async () => {
    const never = join(work, 'never');
    const recipe = ['--recipe', 'learnable-gpt', '--out', never];
    expect(await lgpt('train', 'sentiment', ...recipe, '--variant', 'graph-lora')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--variant: unknown learnable-gpt variant 'graph-lora'/),
    });
    expect(
      await lgpt('train', 'sonnet', ...recipe, '--fine-tune-mode', 'last-linear-layer'),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--fine-tune-mode: .*allowed: full-model/),
    });
    expect(await lgpt('train', 'sentiment', ...recipe, '--recipe', 'keras')).toMatchObject({
      code: 2,
    });
    expect(existsSync(never), 'a rejected command creates nothing').toBe(false);
    // The original counts classes in the train file: 40 SST lines lack class 0 but have class 4,
    // which its cross-entropy cannot take.
    const missingClass = ['--model', model, '--data', data, '--out', join(work, 'missing')];
    await expect(
      lgpt('train', 'sentiment', '--recipe', 'learnable-gpt', ...missingClass),
    ).rejects.toThrow(/label 4 .* is not below the 4 distinct labels the original counts/);
  });

  it('trains, evaluates, predicts, resumes and generates with the recipe recorded in run.json', async () => {
    const out = join(work, 'sst');
    const common = ['--model', model, '--data', allClasses, '--out', out, '--backend', 'wasm'];
    const trained = await lgpt(
      'train',
      'sentiment',
      ...common,
      '--recipe',
      'learnable-gpt',
      '--variant',
      'kan-lora',
      '--fine-tune-mode',
      'full-model',
      '--epochs',
      '1',
    );
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(
      /recipe learnable-gpt .*1 epochs, batch 8, lr 0\.001, constant schedule, no clipping/,
    );
    const config = JSON.parse(await readFile(join(out, 'best/run.json'), 'utf8'));
    expect(config).toMatchObject({
      recipe: 'learnable-gpt',
      variant: 'kan-lora',
      fineTuneMode: 'full-model',
    });
    expect(existsSync(join(out, 'best/seed.safetensors'))).toBe(true);
    const predictions = join(out, 'predictions/full-model-sst-dev-out.csv');
    expect(existsSync(predictions), 'the original names predictions after the fine-tune mode').toBe(
      true,
    );

    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    const evaluated = await lgpt('eval', '--checkpoint', join(out, 'best'));
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).dev_accuracy).toBe(metrics.records[0].dev_accuracy);

    // A resumed run continues with the options (and the recipe) its run.json records.
    const resumed = await lgpt('train', 'sentiment', ...common, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming after epoch 1/);
    expect(resumed.stderr).toMatch(/recipe learnable-gpt/);

    const generated = await lgpt(
      'generate',
      '--checkpoint',
      join(out, 'last'),
      '--prompt',
      'Shall I compare thee',
      '--max-new-tokens',
      '4',
      '--backend',
      'wasm',
    );
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout.startsWith('Shall I compare thee')).toBe(true);
  });

  it('writes paraphrase dev predictions as 8505/3919 and prints the paper beside the dev numbers', async () => {
    const out = join(work, 'quora');
    const compared = await lgpt(
      'compare',
      'paraphrase',
      '--recipe',
      'learnable-gpt',
      '--variants',
      'base,graph',
      '--model',
      model,
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--backend',
      'wasm',
    );
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/\| base \(this run, dev split\) \| \d+\.\d\d % \|/);
    expect(compared.stdout).toMatch(/\| paper, tuned, test split \| 89\.9 % \|/);
    expect(compared.stdout).not.toMatch(/diff/i);
    const dev = await readFile(join(out, 'base/predictions/para-dev-output.csv'), 'utf8');
    const answers = dev
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(', ')[1].trim());
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a === '8505' || a === '3919')).toBe(true);
  });
});
