import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@lgpt/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EarlyStopping,
  formatGeneratedSonnets,
  MetricsFile,
  sonnetChrf,
  writeGeneratedSonnets,
  writeParaphrasePredictions,
  writeSentimentPredictions,
} from '../src/index.js';
import { ProgressBar } from '../src/train/progress.js';
import { DATA_DIR } from './support/small-data.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lgpt-tasks-train-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A stream that records writes, and a clock the test moves by hand. */
function fakeTerminal(isTTY: boolean) {
  const writes: string[] = [];
  let t = 0;
  return {
    writes,
    stream: { isTTY, columns: 200, write: (chunk: string) => writes.push(chunk) },
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('ProgressBar', () => {
  it('redraws one line in place on a terminal, with mean loss, tokens/s and ETA', () => {
    const term = fakeTerminal(true);
    const bar = new ProgressBar({ total: 4, label: 'train-0', stream: term.stream, now: term.now });
    term.advance(1000);
    bar.update({ loss: 2, tokens: 500 });
    term.advance(1000);
    bar.update({ loss: 1, tokens: 500 });
    expect(term.writes).toHaveLength(2);
    expect(term.writes.every((w) => w.startsWith('\r') && w.endsWith('\x1b[K'))).toBe(true);
    expect(term.writes[1]).toContain('train-0  50% |');
    expect(term.writes[1]).toContain('2/4 loss 1.5000 500 tok/s ETA 0:02');
    term.advance(10);
    bar.update({ loss: 1 }); // within the redraw interval: not drawn
    expect(term.writes).toHaveLength(2);
    term.advance(1990);
    bar.update({ loss: 1 });
    bar.finish();
    expect(term.writes.at(-2)).toContain('4/4 loss 1.2500 250 tok/s in 0:04');
    expect(term.writes.at(-1)).toBe('\n');
  });

  it('prints plain lines now and then when not on a terminal', () => {
    const log = fakeTerminal(false);
    const bar = new ProgressBar({ total: 100, stream: log.stream, now: log.now, logEveryMs: 5000 });
    for (let i = 0; i < 100; i++) {
      log.advance(100);
      bar.update({ loss: 0.5 });
    }
    bar.finish(); // the last line is already out
    // First update, one per 5 s of the 10 s run, and the final one.
    expect(log.writes).toHaveLength(3);
    expect(log.writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(log.writes[2]).toContain('100% |');
    expect(log.writes[2]).toContain('100/100 loss 0.5000 in 0:10');
  });
});

describe('EarlyStopping', () => {
  it('marks strict improvements and stops after `patience` epochs without one', () => {
    const stopper = new EarlyStopping({ patience: 2 });
    const seen = [0.5, 0.6, 0.6, 0.55].map((v) => stopper.update(v));
    expect(seen).toEqual([
      { improved: true, stop: false },
      { improved: true, stop: false },
      { improved: false, stop: false },
      { improved: false, stop: true },
    ]);
    expect([stopper.best, stopper.bestEpoch]).toEqual([0.6, 1]);

    const resumed = new EarlyStopping({ patience: 2 });
    resumed.restore(JSON.parse(JSON.stringify(stopper.state())));
    expect(resumed.update(0.7)).toEqual({ improved: true, stop: false });
    expect(resumed.bestEpoch).toBe(4);
  });

  it('minimises a loss with a minimum delta', () => {
    const stopper = new EarlyStopping({ mode: 'min', minDelta: 0.1 });
    expect([1, 0.95, 0.8].map((v) => stopper.update(v).improved)).toEqual([true, false, true]);
  });
});

describe('metrics and prediction files', () => {
  it('MetricsFile never replaces an existing file unless asked, and resumes', async () => {
    const path = join(dir, 'metrics.json');
    await writeFile(path, 'precious');
    await expect(MetricsFile.create(path)).rejects.toThrow(`${path} already exists`);
    expect(await readFile(path, 'utf8')).toBe('precious');

    const file = await MetricsFile.create(path, { overwrite: true, meta: { task: 'sst' } });
    await file.append({ epoch: 0, devAcc: 0.4 });
    const reopened = await MetricsFile.open(path);
    await reopened.append({ epoch: 1, devAcc: 0.45 });
    await reopened.setSummary({ bestDevAcc: 0.45 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      meta: { task: 'sst' },
      records: [
        { epoch: 0, devAcc: 0.4 },
        { epoch: 1, devAcc: 0.45 },
      ],
      summary: { bestDevAcc: 0.45 },
    });
    await expect(MetricsFile.open(join(dir, 'missing.json'))).rejects.toThrow('missing.json');
  });

  it('writes predictions in the reference formats, refusing to overwrite', async () => {
    const sst = join(dir, 'sst-dev-out.csv');
    await writeSentimentPredictions(sst, [
      { id: 'a7d575c9ed86ea9633660c67e', prediction: 4 },
      { id: '33cfa32975091f471e3a19656', prediction: 3 },
    ]);
    expect(await readFile(sst, 'utf8')).toBe(
      'id \t Predicted_Sentiment \na7d575c9ed86ea9633660c67e, 4 \n33cfa32975091f471e3a19656, 3 \n',
    );
    await expect(writeSentimentPredictions(sst, [])).rejects.toThrow('already exists');
    await writeSentimentPredictions(sst, [], { overwrite: true });
    expect(await readFile(sst, 'utf8')).toBe('id \t Predicted_Sentiment \n');

    const para = join(dir, 'para-dev-output.csv');
    await writeParaphrasePredictions(para, [{ id: 'x1', prediction: 8505 }]);
    expect(await readFile(para, 'utf8')).toBe('id \t Predicted_Is_Paraphrase \nx1, 8505 \n');
    await expect(
      writeParaphrasePredictions(join(dir, 'bad.csv'), [{ id: 'a\nb', prediction: 1 }]),
    ).rejects.toThrow('contains a newline');
  });

  it('writes the generated-sonnets file byte for byte like sonnet_generation.py', async () => {
    const fixture = fixturePath('chrf');
    const golden = JSON.parse(readFileSync(join(fixture, 'golden.json'), 'utf8'));
    const sonnets = (golden.sonnets.generated_split as string[]).map((text, id) => ({ id, text }));
    const expected = readFileSync(join(fixture, 'generated_sonnets.txt'), 'utf8');
    expect(formatGeneratedSonnets(sonnets)).toBe(expected);
    const out = join(dir, 'generated_sonnets.txt');
    await writeGeneratedSonnets(out, sonnets);
    const gold = readFileSync(join(DATA_DIR, 'TRUE_sonnets_held_out_dev.txt'), 'utf8');
    expect(sonnetChrf(await readFile(out, 'utf8'), gold).score).toBeCloseTo(
      golden.sonnets.corpus_chrF,
      9,
    );
  });
});
