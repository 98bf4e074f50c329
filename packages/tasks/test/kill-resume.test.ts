import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lgptProcess, shortSentimentData, treeFiles } from './support/cli-process.js';

/**
 * A `train` process SIGKILLed at named points (LGPT_TEST_KILL_AT), then `--resume`d until it
 * finishes, must end with exactly what an uninterrupted run writes: the same weights, optimizer
 * state and predictions byte for byte, the same JSON (metrics but wall-clock seconds), on cpu. A tiny GPT-2 trained
 * in full (its lr is chosen from whether the model is pretrained), with dropout, two micro-batches
 * per step (the shuffled order matters), two epochs.
 */
describe('a killed train run resumes exactly (cpu)', () => {
  let work: string;
  let data: string;
  let straight: Map<string, Buffer>;
  const train = (out: string, ...more: string[]) => [
    'train',
    'sentiment',
    '--backend',
    'cpu',
    '--model',
    'tiny',
    '--epochs',
    '2',
    '--batch-size',
    '4',
    '--grad-accumulation',
    '2',
    '--data',
    data,
    '--out',
    out,
    ...more,
  ];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lgpt-kill-'));
    data = await shortSentimentData();
    const done = await lgptProcess(train(join(work, 'straight')));
    expect(done.code, done.stderr).toBe(0);
    straight = await treeFiles(join(work, 'straight'));
  });
  afterAll(async () => {
    for (const dir of [work, data]) await rm(dir, { recursive: true, force: true });
  });

  /** Kills a run at each point in turn (resuming after the first), then resumes it to the end. */
  async function killAndResume(out: string, points: string[]) {
    for (const [i, point] of points.entries()) {
      const killed = await lgptProcess(i === 0 ? train(out) : train(out, '--resume'), point);
      expect(killed.signal, `killed at ${point}: ${killed.stderr}`).toBe('SIGKILL');
    }
    const finished = await lgptProcess(train(out, '--resume'));
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toMatch(/resuming after epoch/);
  }

  async function expectSameAsStraight(out: string) {
    const resumed = await treeFiles(out);
    expect([...resumed.keys()]).toEqual([...straight.keys()]);
    for (const [file, bytes] of straight) {
      // JSON files as JSON: a model's config.json lists the same keys in another order when the
      // model was loaded from a folder rather than built.
      if (file.endsWith('.json')) {
        expect(withoutSeconds(resumed.get(file)), file).toEqual(withoutSeconds(bytes));
      } else {
        expect(resumed.get(file)?.equals(bytes), `${file} is byte-identical`).toBe(true);
      }
    }
    // Nothing left over from the swaps.
    expect((await readdir(work)).filter((name) => name.includes('.lgpt-'))).toEqual([]);
  }

  it('killed after epoch 0 (before best/ and the swap), in epoch 1, inside and after the checkpoint write', async () => {
    const out = join(work, 'chain');
    await killAndResume(out, [
      'metrics@0:written',
      'step@1:2',
      'last@1:writing',
      'last@1:committed',
    ]);
    await expectSameAsStraight(out);
  });

  it('killed between setting last/ aside and renaming the new one into place', async () => {
    const out = join(work, 'swap');
    await killAndResume(out, ['last@1:moved-aside']);
    await expectSameAsStraight(out);
  });

  it('--resume takes the options from the run; a flag that differs is refused', async () => {
    const out = join(work, 'straight');
    const differs = await lgptProcess(train(out, '--resume', '--lr', '0.5'));
    expect(differs.code).toBe(2);
    expect(differs.stderr).toMatch(/--lr 0\.5 differs from the run's 0\.001/);
    expect(existsSync(join(out, 'last'))).toBe(true);
  });
});

/** A JSON file's content without its wall-clock `seconds` fields. */
function withoutSeconds(bytes: Buffer | undefined): unknown {
  return JSON.parse(String(bytes), (key, value) => (key === 'seconds' ? undefined : value));
}

describe('--overwrite replaces a run only once the new one has its first checkpoint (cpu)', () => {
  let work: string;
  let data: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lgpt-overwrite-'));
    data = await shortSentimentData();
  });
  afterAll(async () => {
    for (const dir of [work, data]) await rm(dir, { recursive: true, force: true });
  });
  // Only the classifier trains: a quick epoch.
  const quick = (out: string, ...more: string[]) => [
    'train',
    'sentiment',
    '--backend',
    'cpu',
    '--model',
    'tiny',
    '--fine-tune-mode',
    'last-linear-layer',
    '--epochs',
    '1',
    '--batch-size',
    '8',
    '--data',
    data,
    '--out',
    out,
    ...more,
  ];

  it('a kill before the first checkpoint leaves the old run; a kill mid-swap loses neither', async () => {
    const out = join(work, 'run');
    const old = await lgptProcess(quick(out));
    expect(old.code, old.stderr).toBe(0);
    const before = await treeFiles(out);

    const early = await lgptProcess(quick(out, '--overwrite', '--seed', '7'), 'step@0:1');
    expect(early.signal, early.stderr).toBe('SIGKILL');
    expect(await treeFiles(out), 'the old run is untouched').toEqual(before);

    const swapping = await lgptProcess(quick(out, '--overwrite', '--seed', '7'), 'run:moved-aside');
    expect(swapping.signal, swapping.stderr).toBe('SIGKILL');
    expect((await readdir(work)).sort()).toEqual(['run.lgpt-new', 'run.lgpt-old']);

    const resumed = await lgptProcess(quick(out, '--resume'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await readdir(work)).toEqual(['run']);
    const metrics = JSON.parse(String((await treeFiles(out)).get('metrics.json')));
    expect(metrics.meta.config.seed, 'the new run replaced the old one').toBe(7);
    expect(metrics.records).toHaveLength(1);
  });
});
