import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DataFormatError,
  loadSonnets,
  parseParaphraseData,
  parseParaphraseTestData,
  parseSentimentData,
  parseSentimentTestData,
} from '../src/index.js';

const SST_HEADER = '\tid\tsentence\tsentiment\n';
const QUORA_HEADER = '\tid\tsentence1\tsentence2\tis_duplicate\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lgpt-data-validation-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loaders reject empty examples with file:line', () => {
  it('a blank SST sentence (labelled or not)', () => {
    const text = `${SST_HEADER}0\ta\tgood .\t4\n1\tb\t   \t2\n2\tc\t\t1\n`;
    expect(() => parseSentimentData(text, 'sst.csv')).toThrow(/sst\.csv:3: sentence is empty/);
    const error = (() => {
      try {
        parseSentimentData(text, 'sst.csv');
      } catch (e) {
        return e as DataFormatError;
      }
    })();
    expect(error?.problems.map((p) => p.line)).toEqual([3, 4]);
    const skipped = parseSentimentData(text, 'sst.csv', { onMalformed: 'skip' });
    expect(skipped.examples.map((e) => e.id)).toEqual(['a']);
    expect(() => parseSentimentTestData('\tid\tsentence\n0\ta\t \n', 'test.csv')).toThrow(
      'test.csv:2: sentence is empty',
    );
  });

  it('an empty paraphrase question (labelled or not)', () => {
    const text = `${QUORA_HEADER}0\ta\tWhy?\t\t1.0\n1\tb\t\t \t0.0\n2\tc\tA?\tB?\t0\n`;
    expect(() => parseParaphraseData(text, 'quora.csv')).toThrow(
      /quora\.csv:2: sentence2 is empty\n.*quora\.csv:3: sentence1 and sentence2 are empty/,
    );
    expect(() =>
      parseParaphraseTestData('\tid\tsentence1\tsentence2\n0\tq\t\tB?\n', 'qt.csv'),
    ).toThrow('qt.csv:2: sentence1 is empty');
  });

  it('an empty sonnet, naming the line of its number', async () => {
    const file = join(dir, 'sonnets.txt');
    // Python's `\n\s*\d+\s*\n` eats blank lines around a number, so only a number at the end of
    // the file can leave an empty piece.
    await writeFile(file, 'Header\n\n1\nShall I compare thee\n\n\n2\n   \n');
    await expect(loadSonnets(file)).rejects.toThrow(`${file}:7: the sonnet is empty`);
    await writeFile(file, 'Header\n1\nOne\n2\n');
    await expect(loadSonnets(file)).rejects.toThrow(`${file}:4: the sonnet is empty`);
  });

  it('a header-only train or dev file', () => {
    expect(() => parseSentimentData(SST_HEADER, 'train.csv')).toThrow(
      'train.csv:1: no examples (only a header row)',
    );
    expect(() => parseParaphraseData(QUORA_HEADER, 'dev.csv')).toThrow(
      'dev.csv:1: no examples (only a header row)',
    );
    expect(() =>
      parseSentimentData(`${SST_HEADER}0\ta\t\t1\n`, 'train.csv', { onMalformed: 'skip' }),
    ).toThrow('train.csv:1: no examples (every row is malformed)');
  });

  it('a label too large to be a class index', () => {
    expect(() => parseSentimentData(`${SST_HEADER}0\ta\tgood\t99999999999\n`, 'sst.csv')).toThrow(
      /sst\.csv:2: sentiment 99999999999 is not a class index below 1000/,
    );
    const wide = parseSentimentData(`${SST_HEADER}0\ta\tgood\t1500\n`, 'sst.csv', {
      maxClasses: 2000,
    });
    expect(wide.examples[0].label).toBe(1500);
  });
});
