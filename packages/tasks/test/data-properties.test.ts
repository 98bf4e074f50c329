import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDelimited } from '../src/data/tsv.js';
import {
  DataFormatError,
  parseParaphraseData,
  parseSentimentData,
  parseSentimentTestData,
} from '../src/index.js';
import { pyStrip } from '../src/text/python-strings.js';

// Property-based: fast-check prints the seed and the shrunk counterexample when one fails.
const NUM_RUNS = 1000;

/** Characters that exercise the reader: tabs, quotes, newlines, Unicode, whitespace, digits. */
const char = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '0', '7', '.', '-', ' ', 'é', '字', '😀') },
  { weight: 2, arbitrary: fc.constantFrom('\t', '"', '\n', '\u00a0', '\u0085') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const field = fc.string({ unit: char, maxLength: 8 }).map((s) => s.replaceAll('\r', ''));

/** Python's `csv.writer(delimiter='\t')` (excel dialect, QUOTE_MINIMAL, `\n` line ends). */
function writeRow(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""\n';
  const quoted = fields.map((f) => (/[\t"\n\r]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f));
  return `${quoted.join('\t')}\n`;
}

describe('tab-separated reader properties', () => {
  it('reads back any table csv.writer writes, with each record on its starting line', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 6 }),
        (rows) => {
          let text = '';
          const lines: number[] = [];
          for (const row of rows) {
            lines.push(text.split('\n').length);
            text += writeRow(row);
          }
          const records = parseDelimited(text);
          expect(records.map((r) => r.fields)).toEqual(rows);
          expect(records.map((r) => r.line)).toEqual(lines);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

/** Labels as files write them (mostly), and wrong ones. */
const label = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('0', '1', '0.0', '1.0', ' 1 ') },
  fc.constantFrom('4', '99999999999', '-1', '1e0', 'x', ''),
  field,
);
/** Fields without tabs, quotes or newlines: what well-formed rows hold. */
const plain = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', 'é', '字'), maxLength: 6 });
/**
 * Rows shaped like a sentiment (4 fields) or paraphrase (5) row, mostly, so whole files load often
 * enough; and rows with any fields and any number of them.
 */
const row = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(plain, plain, plain, label) },
  { weight: 8, arbitrary: fc.tuple(plain, plain, plain, plain, label) },
  fc.array(field, { maxLength: 6 }),
);

/** A data file: a header (right, or not), then rows of fields joined by tabs, quotes unbalanced at will. */
const dataFile = (header: string) =>
  fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(header) },
        fc.string({ unit: char, maxLength: 30 }),
      ),
      fc.array(row, { maxLength: 4 }),
    )
    .map(([head, rows]) => `${head}\n${rows.map((r) => r.join('\t')).join('\n')}`);

/** The loader either returns clean examples or throws a DataFormatError naming the file. */
function expectCleanOrDataError<T>(
  load: () => { examples: T[] },
  check: (example: T) => void,
): 'loaded' | 'refused' {
  let examples: T[];
  try {
    ({ examples } = load());
  } catch (error) {
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toMatch(/^data\.csv(:\d+)?: /);
    return 'refused';
  }
  expect(examples.length).toBeGreaterThan(0);
  for (const example of examples) check(example);
  return 'loaded';
}

/** Runs a loader property, checking that the generator reaches both outcomes. */
function assertBothOutcomes(property: (text: string) => 'loaded' | 'refused', header: string) {
  const seen = { loaded: 0, refused: 0 };
  fc.assert(
    fc.property(dataFile(header), (text) => {
      seen[property(text)]++;
    }),
    { numRuns: NUM_RUNS },
  );
  expect(seen.loaded).toBeGreaterThan(NUM_RUNS / 50);
  expect(seen.refused).toBeGreaterThan(NUM_RUNS / 50);
}

describe('CSV/TSV loader properties', () => {
  for (const onMalformed of ['throw', 'skip'] as const) {
    it(`sentiment files (onMalformed ${onMalformed})`, () => {
      assertBothOutcomes((text) => {
        expectCleanOrDataError(
          () => parseSentimentTestData(text, 'data.csv', { onMalformed }),
          (e) => expect(pyStrip(e.sentence)).not.toBe(''),
        );
        return expectCleanOrDataError(
          () => parseSentimentData(text, 'data.csv', { onMalformed }),
          (e) => {
            expect(pyStrip(e.sentence)).not.toBe('');
            expect(Number.isInteger(e.label) && e.label >= 0 && e.label < 1000).toBe(true);
          },
        );
      }, '\tid\tsentence\tsentiment');
    });

    it(`paraphrase files (onMalformed ${onMalformed})`, () => {
      assertBothOutcomes(
        (text) =>
          expectCleanOrDataError(
            () => parseParaphraseData(text, 'data.csv', { onMalformed }),
            (e) => {
              expect(e.sentence1).not.toBe('');
              expect(e.sentence2).not.toBe('');
              expect([0, 1]).toContain(e.label);
            },
          ),
        '\tid\tsentence1\tsentence2\tis_duplicate',
      );
    });
  }
});
