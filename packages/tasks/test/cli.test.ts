import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAGS } from '../src/cli/options.js';
import { fixtureCheckpoint } from './support/fixture-model.js';
import { lgpt } from './support/run-cli.js';
import { smallDataDir } from './support/small-data.js';

const lineCount = async (path: string) =>
  (await readFile(path, 'utf8')).trimEnd().split('\n').length;

describe('lgpt command line', () => {
  let work: string;
  let model: string;
  let data: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lgpt-cli-'));
    model = await fixtureCheckpoint();
    data = await smallDataDir(41);
  });
  afterAll(async () => {
    for (const dir of [work, model, data]) await rm(dir, { recursive: true, force: true });
  });

  it('documents every command and every train flag', async () => {
    const top = await lgpt('--help');
    expect(top.code).toBe(0);
    for (const command of ['train', 'eval', 'predict', 'generate', 'compare'])
      expect(top.stdout).toContain(command);
    const help = await lgpt('train', '--help');
    expect(help.code).toBe(0);
    const trainFlags = Object.keys(FLAGS).filter(
      (f) => !['checkpoint', 'prompt', 'greedy', 'variants'].includes(f),
    );
    for (const flag of trainFlags) expect(help.stdout).toContain(`--${flag}`);
  });

  it('rejects wrong commands, tasks, flags and values with a clear message', async () => {
    expect(await lgpt('tune')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown command 'tune'/),
    });
    expect(await lgpt('train', 'poetry')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--task must be one of sentiment, paraphrase, sonnet/),
    });
    expect(await lgpt('train', 'sentiment', '--bogus')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--bogus/),
    });
    expect(
      await lgpt('train', 'sentiment', '--epochs', 'two', '--out', join(work, 'never')),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--epochs must be an integer ≥ 1; got 'two'/),
    });
    expect(
      await lgpt('train', 'sentiment', '--variant', 'xl', '--out', join(work, 'never')),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--variant must be one of base, lora/),
    });
    expect(existsSync(join(work, 'never')), 'a rejected command creates nothing').toBe(false);
    expect(await lgpt('eval')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--checkpoint <dir> is required/),
    });
  });

  it('trains LoRA on a Hugging Face checkpoint folder, then evals, predicts, generates and resumes from it', async () => {
    const out = join(work, 'sst-lora');
    const common = ['--model', model, '--data', data, '--out', out, '--backend', 'wasm'];
    const trained = await lgpt(
      'train',
      'sentiment',
      ...common,
      '--variant',
      'lora',
      '--epochs',
      '1',
    );
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/variant lora, adapters; trainable params: \d+/);
    for (const file of [
      'best/run.json',
      'best/adapter/adapter_config.json',
      'best/adapter/adapter_model.safetensors',
      'best/head.safetensors',
      'last/optimizer.safetensors',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(existsSync(join(out, 'best/model')), 'adapter-only checkpoint').toBe(false);
    expect(await lineCount(join(out, 'predictions/sst-dev-out.csv'))).toBe(41);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.records).toHaveLength(1);

    const evaluated = await lgpt('eval', '--checkpoint', join(out, 'best'), '--data', data);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).dev_accuracy).toBe(metrics.records[0].dev_accuracy);

    const predicted = await lgpt(
      'predict',
      '--checkpoint',
      join(out, 'best'),
      '--data',
      data,
      '--out',
      join(work, 'pred'),
    );
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(await readFile(join(work, 'pred/sst-dev-out.csv'), 'utf8')).toBe(
      await readFile(join(out, 'predictions/sst-dev-out.csv'), 'utf8'),
    );

    const generated = await lgpt(
      'generate',
      '--checkpoint',
      join(out, 'best'),
      '--prompt',
      'the',
      '--max-new-tokens',
      '4',
      '--greedy',
    );
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout.startsWith('the')).toBe(true);

    const again = await lgpt('train', 'sentiment', ...common, '--variant', 'lora');
    expect(again).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/already exists; pass --overwrite .* or --resume/),
    });
    const longer = await lgpt('train', 'sentiment', ...common, '--epochs', '2', '--resume');
    expect(longer).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--epochs 2 differs from the run's 1 .*--resume continues/),
    });
    const resumed = await lgpt('train', 'sentiment', ...common, '--variant', 'lora', '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming after epoch 1/);
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).records).toHaveLength(1);
  });

  it('trains the sonnet generator on tiny and writes completions with chrF', async () => {
    const out = join(work, 'sonnet');
    const run = await lgpt(
      'train',
      'sonnet',
      '--model',
      'tiny',
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--limit',
      '8',
      '--max-new-tokens',
      '6',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/dev_chrf \d+\.\d+/);
    const generated = await readFile(join(out, 'predictions/generated_sonnets.txt'), 'utf8');
    expect(generated.startsWith('--Generated Sonnets-- \n\n\n0\n')).toBe(true);
    expect(existsSync(join(out, 'best/model/config.json')), 'full-model checkpoint').toBe(true);
  });

  it('trains paraphrase detection on a split of the Quora dev file', async () => {
    const out = join(work, 'para');
    const run = await lgpt(
      'train',
      'paraphrase',
      '--model',
      'tiny',
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/quora-dev\.csv split 36 train \/ 4 dev/);
    const text = await readFile(join(out, 'predictions/para-dev-output.csv'), 'utf8');
    const lines = text.split('\n').filter(Boolean);
    expect(lines[0]).toBe('id \t Predicted_Is_Paraphrase ');
    expect(lines.slice(1).filter((l) => !/, (8505|3919) $/.test(l))).toEqual([]);
  });

  it('compares variants in one table', async () => {
    const out = join(work, 'compare');
    const run = await lgpt(
      'compare',
      'sentiment',
      '--variants',
      'base,lora',
      '--model',
      model,
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
    );
    expect(run.code, run.stderr).toBe(0);
    const table = await readFile(join(out, 'comparison.md'), 'utf8');
    expect(table).toMatch(
      /\| variant \| dev_accuracy \| dev_macro_f1 \| best epoch \| trainable params \| seconds \|/,
    );
    expect(table).toMatch(/\| base \|/);
    expect(table).toMatch(/\| lora \|/);
    expect(Object.keys(JSON.parse(await readFile(join(out, 'comparison.json'), 'utf8')))).toEqual([
      'base',
      'lora',
    ]);
  });
});
