import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeBackends, expectClose, fixturePath } from '@lgpt/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openRun, readRunConfig } from '../src/node.js';
import { smallDataDir } from './support/small-data.js';

const RUNS = fixturePath('saved-runs');

interface Expected {
  sentences: string[];
  runs: Record<
    string,
    { inputIds: number[][]; classifierLogits: number[][]; lmLogitsOfLastRow: number[][] }
  >;
}

describeBackends('runs saved by lgpt 0.1.0 load with the outputs they had', () => {
  let expected: Expected;
  let dataDir: string;
  beforeAll(async () => {
    expected = JSON.parse(await readFile(join(RUNS, 'expected.json'), 'utf8')) as Expected;
    dataDir = await smallDataDir(9);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  for (const name of ['kan-lora', 'graph']) {
    it(name, async () => {
      const dir = join(RUNS, name);
      const config = { ...(await readRunConfig(dir)), model: join(RUNS, 'base'), dataDir };
      const run = await openRun(config, { checkpoint: dir });
      try {
        run.head.eval();
        const want = expected.runs[name]!;
        const rows = expected.sentences.map((s) => run.loaded.tokenizer.encode(s));
        expect(rows).toEqual(want.inputIds);
        const width = Math.max(...rows.map((r) => r.length));
        const pad = (r: number[], fill: (v: number) => number) => [
          ...r.map(fill),
          ...Array<number>(width - r.length).fill(0),
        ];
        const [classifier, lmLogits] = tf.tidy(() => {
          const ids = tf.tensor2d(
            rows.map((r) => pad(r, (v) => v)),
            undefined,
            'int32',
          );
          const mask = tf.tensor2d(
            rows.map((r) => pad(r, () => 1)),
            undefined,
            'int32',
          );
          const head = run.head as unknown as {
            forward(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D;
          };
          const { loaded } = run;
          if ('recipe' in loaded) throw new Error(`${name}: not an lgpt-recipe run`);
          const { logits } = loaded.lm.forward(ids, { attentionMask: mask });
          const last = rows.length - 1;
          const lastRow = tf.slice(logits, [last, 0, 0], [1, rows[last]!.length, -1]);
          return [head.forward(ids, mask), tf.squeeze(lastRow, [0])];
        });
        await expectClose(classifier, want.classifierLogits, {
          atol: 1e-5,
          label: `${name} classifier logits`,
        });
        await expectClose(lmLogits, want.lmLogitsOfLastRow, {
          atol: 1e-5,
          label: `${name} LM logits`,
        });
        tf.dispose([classifier, lmLogits]);
      } finally {
        run.head.dispose();
      }
    });
  }
});
