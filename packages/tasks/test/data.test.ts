import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocessQuestion } from '../src/data/paraphrase.js';
import { labelSet } from '../src/data/sentiment.js';
import { parseDelimited } from '../src/data/tsv.js';
import {
  DataFormatError,
  loadParaphraseData,
  loadSentimentData,
  loadSentimentTestData,
  loadSonnets,
  parseParaphraseData,
  parseParaphraseTestData,
  parseSentimentData,
  sonnetPrompt,
  splitSonnets,
} from '../src/index.js';
import { pySplit, pyStrip } from '../src/text/python-strings.js';

/** The repository's CS224N data (read-only). Counts below are what Python's csv.DictReader reads. */
const DATA = join(__dirname, '..', '..', '..', 'data', 'cs224n');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lgpt-tasks-data-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Python string semantics', () => {
  it('split/strip on Python whitespace (U+001C–U+001F, U+0085 yes; U+FEFF, U+200B no)', () => {
    expect(pySplit('a\u001cb\u0085c\u3000d\ufeffe\u200bf')).toEqual([
      'a',
      'b',
      'c',
      'd\ufeffe\u200bf',
    ]);
    expect(pyStrip('\u001f\u00a0 x \ufeff')).toBe('x \ufeff');
  });
});

describe('tab-separated reading like csv.DictReader', () => {
  it('handles quotes, doubled quotes, text after a closing quote and multi-line fields', () => {
    const text = 'h1\th2\n"a ""q"" b"\tplain"quote\n"ab"c\t"two\nlines"\n\nlast\tno-newline';
    expect(parseDelimited(text)).toEqual([
      { line: 1, fields: ['h1', 'h2'] },
      { line: 2, fields: ['a "q" b', 'plain"quote'] },
      { line: 3, fields: ['abc', 'two\nlines'] },
      { line: 6, fields: ['last', 'no-newline'] },
    ]);
  });

  it('keeps a quoted field left open at the end of the file, like non-strict csv', () => {
    expect(parseDelimited('a\t"open\nstill')).toEqual([{ line: 1, fields: ['a', 'open\nstill'] }]);
  });
});

describe('sentiment files (SST, CFIMDB)', () => {
  it('reads SST train/dev with the reference preprocessing', async () => {
    const train = await loadSentimentData(join(DATA, 'ids-sst-train.csv'));
    const dev = await loadSentimentData(join(DATA, 'ids-sst-dev.csv'));
    expect(train.examples).toHaveLength(8544);
    expect(dev.examples).toHaveLength(1101);
    expect(train.skipped).toEqual([]);
    expect(labelSet(train.examples)).toEqual([0, 1, 2, 3, 4]);
    expect(dev.examples[0]).toEqual({
      id: 'a7d575c9ed86ea9633660c67e',
      sentence: "it 's a lovely film with lovely performances by buy and accorsi .",
      label: 3,
    });
    expect(dev.examples.at(-1)?.id).toBe('1ae91087064d5035fe6c0c63f');
  });

  it('reads CFIMDB (quoted reviews) and the unlabelled test files', async () => {
    const train = await loadSentimentData(join(DATA, 'ids-cfimdb-train.csv'));
    expect(train.examples).toHaveLength(1707);
    expect(labelSet(train.examples)).toEqual([0, 1]);
    expect(train.examples[1].sentence.startsWith('""" i vaguely remember ben')).toBe(true);
    const raw = await loadSentimentData(join(DATA, 'ids-cfimdb-train.csv'), { preprocess: false });
    expect(raw.examples[1].sentence.startsWith(' """ I vaguely')).toBe(true);

    // Test files have the header `0\t\tid\tsentence`; only id and sentence matter.
    const test = await loadSentimentTestData(join(DATA, 'ids-sst-test-student.csv'));
    expect(test.examples).toHaveLength(2210);
    expect(test.examples[0]).toEqual({
      id: 'b7573736a6ddf7be102b7fee0',
      sentence: 'effective but too-tepid biopic',
    });
    const cfimdbTest = await loadSentimentTestData(join(DATA, 'ids-cfimdb-test-student.csv'));
    expect(cfimdbTest.examples).toHaveLength(488);
  });

  it('reports every malformed row with file and line, or skips them when asked', () => {
    const text = [
      '\tid\tsentence\tsentiment',
      '0\tA1\t Good .\t4',
      '1\tA2\tno label here',
      '2\tA3\tBad .\tthree',
      '3\tA4\tFine .\t-1',
      '4\tA5\tOk .\t 2 ',
    ].join('\n');
    let error: DataFormatError | undefined;
    try {
      parseSentimentData(text, 'bad.csv');
    } catch (e) {
      error = e as DataFormatError;
    }
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error?.problems.map((p) => [p.file, p.line])).toEqual([
      ['bad.csv', 3],
      ['bad.csv', 4],
      ['bad.csv', 5],
    ]);
    expect(error?.message).toContain('bad.csv:3: expected 4 tab-separated fields');
    expect(error?.message).toContain(
      'bad.csv:4: sentiment must be a non-negative integer, found "three"',
    );

    const { examples, skipped } = parseSentimentData(text, 'bad.csv', { onMalformed: 'skip' });
    expect(examples).toEqual([
      { id: 'a1', sentence: 'good .', label: 4 },
      { id: 'a5', sentence: 'ok .', label: 2 },
    ]);
    expect(skipped.map((p) => p.line)).toEqual([3, 4, 5]);
  });

  it('names the file and its header when a column is missing', () => {
    expect(() => parseSentimentData('\tid\ttext\n0\tx\ty\n', 'sst.csv')).toThrow(
      `sst.csv: the header has no 'sentence' column (found "", "id", "text")`,
    );
  });

  it('reads CRLF files like Python and names a file that is not UTF-8', async () => {
    const crlf = join(dir, 'crlf.csv');
    await writeFile(crlf, '\tid\tsentence\tsentiment\r\n0\tX\tHi .\t1\r\n');
    expect((await loadSentimentData(crlf)).examples).toEqual([
      { id: 'x', sentence: 'hi .', label: 1 },
    ]);
    const latin1 = join(dir, 'latin1.csv');
    await writeFile(latin1, Buffer.from([0x69, 0x64, 0x0a, 0xe9, 0x0a]));
    await expect(loadSentimentData(latin1)).rejects.toThrow(`${latin1} is not valid UTF-8 text`);
  });
});

describe('Quora paraphrase file', () => {
  const file = join(DATA, 'quora-dev.csv');

  it('reports the two rows without a label that the reference silently dropped', async () => {
    const error = await loadParaphraseData(file).catch((e: DataFormatError) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).problems.map((p) => p.line)).toEqual([2577, 14222]);

    const { examples, skipped } = await loadParaphraseData(file, { onMalformed: 'skip' });
    expect(examples).toHaveLength(20212);
    expect(skipped).toHaveLength(2);
    expect(new Set(examples.map((e) => e.label))).toEqual(new Set([0, 1]));
    // Row 3 is CSV-quoted with doubled quotes inside.
    expect(examples[1]).toEqual({
      id: '318658e273ac78f3b1e957b8b',
      sentence1:
        '"which is correct grammar: i graduated from university of xxxx or i graduated from the university of xxxx ? do i need ""the"" here ?"',
      sentence2:
        'grammar: what are the most common english language and grammatical errors made by people from india ?',
      label: 0,
    });
  });

  it('preprocesses like preprocess_string and reads unlabelled pairs', () => {
    expect(preprocessQuestion("What's up,  Doc?It's.")).toBe("what 's up , doc ?it 's .");
    const test = parseParaphraseTestData('\tid\tsentence1\tsentence2\n0\tQ\tA?\tB.\n', 't.csv');
    expect(test.examples).toEqual([{ id: 'q', sentence1: 'a ?', sentence2: 'b .' }]);
    expect(() =>
      parseParaphraseData('\tid\tsentence1\tsentence2\tis_duplicate\n0\tq\ta\tb\t0.5\n', 'p.csv'),
    ).toThrow('p.csv:2: is_duplicate must be 0 or 1');
  });
});

describe('sonnet files', () => {
  it('splits on sonnet numbers like SonnetsDataset and derives the 3-line prompts', async () => {
    const train = await loadSonnets(join(DATA, 'sonnets.txt'));
    expect(train).toHaveLength(131);
    expect(train[0].startsWith('From fairest creatures we desire increase,\n')).toBe(true);
    expect(train.every((s) => !s.includes('\r'))).toBe(true);

    const prompts = await loadSonnets(join(DATA, 'sonnets_held_out_dev.txt'));
    const gold = await loadSonnets(join(DATA, 'TRUE_sonnets_held_out_dev.txt'));
    expect(prompts).toHaveLength(gold.length);
    expect(gold.map((s) => sonnetPrompt(s))).toEqual(prompts);
    expect(await loadSonnets(join(DATA, 'sonnets_held_out.txt'))).toHaveLength(12);
  });

  it('uses Python \\s and \\d, and rejects a file with no numbered sonnet', async () => {
    expect(splitSonnets('Header\n\u00a0١٢\u001c\nFirst\n\n 2 \nSecond\n')).toEqual([
      'First',
      'Second',
    ]);
    const none = join(dir, 'none.txt');
    await writeFile(none, 'just some text\n');
    await expect(loadSonnets(none)).rejects.toThrow(`${none}: no sonnets found`);
  });
});
