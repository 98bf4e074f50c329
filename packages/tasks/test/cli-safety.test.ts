import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsFile } from '../src/index.js';
import { shortSentimentData, treeFiles } from './support/cli-process.js';
import { lgpt } from './support/run-cli.js';

/** A run.json as `lgpt train` writes it. */
const RUN_JSON = {
  task: 'sentiment',
  model: 'tiny',
  variant: 'base',
  randomInit: false,
  fineTuneMode: 'full-model',
  seed: 11711,
  dataDir: '/data',
  evalBatchSize: 64,
  settings: { dataset: 'sst', dropoutProb: 0.3, temperature: 1.2, topP: 0.9, maxNewTokens: 128 },
  pretrained: false,
  train: {
    epochs: 1,
    batchSize: 32,
    lr: 0.001,
    weightDecay: 0,
    schedule: 'linear',
    warmupSteps: 0,
    clipNorm: 1,
    gradAccumulation: 1,
    patience: null,
  },
};

const TRAINER_JSON = {
  epoch: 1,
  step: 1,
  stopped: false,
  earlyStopping: { best: 0.5, bestEpoch: 0, epochsWithoutImprovement: 0, epoch: 1 },
  best: { dev_accuracy: 0.5 },
  rng: { words: [1, 2, 3, 4], spareNormal: null },
  records: [{ epoch: 0, train_loss: 1.5, lr: 0, dev_accuracy: 0.5, improved: true }],
};

describe('lgpt keeps what the user owns and checks its input first', () => {
  let work: string;
  let data: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lgpt-safety-'));
    data = await shortSentimentData();
  });
  afterAll(async () => {
    for (const dir of [work, data]) await rm(dir, { recursive: true, force: true });
  });

  /** A finished lgpt run folder (what a run leaves, minus the weights), plus a note of the user's. */
  async function runFolder(name: string, trainer: unknown = TRAINER_JSON): Promise<string> {
    const out = join(work, name);
    await mkdir(join(out, 'last'), { recursive: true });
    await writeFile(join(out, 'lgpt-output.json'), '{ "lgpt": "run", "version": 1 }\n');
    await writeFile(join(out, 'last', 'run.json'), JSON.stringify(RUN_JSON));
    await writeFile(join(out, 'last', 'trainer.json'), JSON.stringify(trainer));
    await writeFile(join(out, 'last', 'checkpoint.json'), '{ "epoch": 0 }');
    await writeFile(join(out, 'metrics.json'), '{ "meta": {}, "records": [], "summary": null }');
    return out;
  }

  /** A folder of the user's own files. */
  async function userFolder(name: string): Promise<string> {
    const dir = join(work, name);
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    await writeFile(join(dir, 'src', 'main.ts'), 'export {};\n');
    return dir;
  }

  const siblings = async (name: string) =>
    (await readdir(work)).filter((f) => f.startsWith(`${name}.lgpt-`));

  it('--overwrite keeps the old run when the new one cannot start (case 1)', async () => {
    const out = await runFolder('old-run');
    const before = await treeFiles(out);
    const emptyModel = join(work, 'empty-model');
    await mkdir(emptyModel);
    const attempts: [string[], RegExp][] = [
      [['--model', join(work, 'no-such-model')], /--model: .*no-such-model: no such folder/],
      [['--model', emptyModel], /empty-model/],
      [['--dropout', '1.5'], /--dropout must be a number in \[0, 1\); got '1\.5'/],
      [['--backend', 'tensorflow'], /tfjs-node/],
    ];
    for (const [flags, message] of attempts) {
      const result = await lgpt(
        'train',
        'sentiment',
        '--data',
        data,
        '--out',
        out,
        '--overwrite',
        '--backend',
        'cpu',
        ...flags,
      );
      expect(result.code, flags.join(' ')).not.toBe(0);
      expect(result.stderr, flags.join(' ')).toMatch(message);
      expect(await treeFiles(out), `${flags.join(' ')} left the old run intact`).toEqual(before);
      expect(await siblings('old-run')).toEqual([]);
    }
  });

  it('refuses --out that holds the working folder, is a file or a link, or is not an lgpt folder', async () => {
    const project = await userFolder('project');
    const before = await treeFiles(project);
    const cwd = process.cwd();
    process.chdir(project);
    try {
      for (const out of ['.', '..', project]) {
        for (const command of [
          ['train', 'sentiment', '--data', data],
          ['predict', '--checkpoint', 'x'],
        ]) {
          const result = await lgpt(...command, '--out', out, '--overwrite');
          expect(result.code, `${command[0]} --out ${out}`).toBe(2);
          expect(result.stderr).toMatch(/--out .*: holds the working folder/);
        }
      }
    } finally {
      process.chdir(cwd);
    }
    const file = join(work, 'results.txt');
    await writeFile(file, 'my results\n');
    const link = join(work, 'link');
    await symlink(project, link);
    const refusals: [string, RegExp][] = [
      [file, /results\.txt: is a file, not a folder/],
      [link, /link: is a symbolic link/],
      [project, /project: is not empty and is not an lgpt run folder/],
    ];
    for (const [out, message] of refusals) {
      const result = await lgpt('train', 'sentiment', '--data', data, '--out', out, '--overwrite');
      expect(result, out).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    }
    const predict = await lgpt('predict', '--checkpoint', 'x', '--out', project, '--overwrite');
    expect(predict).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/is not an lgpt predictions folder/),
    });
    const compare = await lgpt(
      'compare',
      'sentiment',
      '--data',
      data,
      '--out',
      project,
      '--overwrite',
    );
    expect(compare).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/is not an lgpt comparison folder/),
    });
    const run = await runFolder('a-run');
    const predictOverRun = await lgpt('predict', '--checkpoint', 'x', '--out', run, '--overwrite');
    expect(predictOverRun.stderr).toMatch(/holds an lgpt run, not a predictions/);
    expect(await readFile(file, 'utf8')).toBe('my results\n');
    expect(await treeFiles(project)).toEqual(before);
  });

  it('checks every flag for type and range before any work, naming the flag (case 6)', async () => {
    const out = join(work, 'never');
    const cases: [string[], RegExp][] = [
      [
        ['train', 'sentiment', '--dropout', '1.5'],
        /--dropout must be a number in \[0, 1\); got '1\.5'/,
      ],
      [['train', 'sonnet', '--temperature', '0'], /--temperature must be a number > 0; got '0'/],
      [['train', 'sonnet', '--top-p', '1.5'], /--top-p must be a number in \(0, 1\]; got '1\.5'/],
      [['train', 'sentiment', '--seed', '1e20'], /--seed must be an integer in \[0, 4294967295\]/],
      [['train', 'sentiment', '--lr=-1'], /--lr must be a number ≥ 0; got '-1'/],
      [['generate', '--prompt', 'a', '--temperature', '0'], /--temperature must be a number > 0/],
      [['generate', '--prompt', 'a', '--top-p', '0'], /--top-p must be a number in \(0, 1\]/],
      [['train', 'sentiment', '--resume', '--overwrite'], /pass one/],
    ];
    for (const [argv, message] of cases) {
      const where = argv[0] === 'train' ? ['--data', data, '--out', out] : [];
      const result = await lgpt(...argv, ...where);
      expect(result, argv.join(' ')).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(message),
      });
    }
    expect(existsSync(out), 'a rejected command creates nothing').toBe(false);
  });

  it('names the file and key of a corrupt or out-of-range run file (case 11)', async () => {
    const checkpoint = join(work, 'checkpoint');
    await mkdir(checkpoint);
    const bad: [string, RegExp][] = [
      ['{ "task": ', /checkpoint\/run\.json: not valid JSON/],
      ['[]', /checkpoint\/run\.json: expected a JSON object/],
      [
        JSON.stringify({ ...RUN_JSON, evalBatchSize: 0 }),
        /run\.json: key 'evalBatchSize' must be an integer ≥ 1; got 0/,
      ],
      [
        JSON.stringify({ ...RUN_JSON, settings: { dropoutProb: 'high' } }),
        /run\.json: key 'settings\.dropoutProb' must be a number in \[0, 1\); got "high"/,
      ],
      [
        JSON.stringify({ ...RUN_JSON, train: { ...RUN_JSON.train, lr: null } }),
        /run\.json: key 'train\.lr' must be a number ≥ 0; got null/,
      ],
    ];
    for (const [text, message] of bad) {
      await writeFile(join(checkpoint, 'run.json'), text);
      const result = await lgpt('eval', '--checkpoint', checkpoint, '--backend', 'cpu');
      expect(result, text).toMatchObject({ code: 1, stderr: expect.stringMatching(message) });
    }

    const corrupt = await runFolder('corrupt-trainer');
    await writeFile(join(corrupt, 'last', 'trainer.json'), '{ "epoch": 1,');
    const resumed = await lgpt('train', 'sentiment', '--out', corrupt, '--resume');
    expect(resumed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/corrupt-trainer\/last\/trainer\.json: not valid JSON/),
    });
    const negative = await runFolder('negative-step', { ...TRAINER_JSON, step: -1 });
    expect((await lgpt('train', 'sentiment', '--out', negative, '--resume')).stderr).toMatch(
      /trainer\.json: key 'step' must be an integer ≥ 0; got -1/,
    );
    const badRng = await runFolder('bad-rng', { ...TRAINER_JSON, rng: { words: [1, 2] } });
    expect((await lgpt('train', 'sentiment', '--out', badRng, '--resume')).stderr).toMatch(
      /trainer\.json: key 'rng\.words' must be an array of 4 numbers/,
    );

    const metrics = join(work, 'metrics.json');
    await writeFile(metrics, '{ "meta": {}, "records": {} }');
    await expect(MetricsFile.open(metrics)).rejects.toThrow(
      /metrics\.json: key 'records' must be an array; got \{\}/,
    );
  });

  it('treats commands named like Object.prototype keys as unknown', async () => {
    for (const command of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(await lgpt(command)).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(new RegExp(`unknown command '${command}'`)),
      });
    }
  });
});
