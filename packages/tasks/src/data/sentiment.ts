import { pyStrip } from '../text/python-strings.js';
import { type RowProblem, sortByLine } from './errors.js';
import { type LoadOptions, type LoadResult, settle } from './load-result.js';
import { readTextFile } from './read-text.js';
import { readTable } from './table.js';

/**
 * SST / CFIMDB files (`ids-sst-train.csv`, …): tab-separated with header `\tid\tsentence\tsentiment`
 * (test files: `0\t\tid\tsentence`, no labels), read like the reference's `classifier.load_data`.
 */

export interface SentimentExample {
  id: string;
  sentence: string;
  /** The class as written in the file (SST 0–4, CFIMDB 0–1). */
  label: number;
}

export interface UnlabelledSentimentExample {
  id: string;
  sentence: string;
}

const LABEL = /^[+-]?\d+$/;

/** Parses a labelled sentiment file's text; `file` names it in errors. */
export function parseSentimentData(
  text: string,
  file: string,
  options: LoadOptions = {},
): LoadResult<SentimentExample> {
  const table = readTable(text, file, ['id', 'sentence', 'sentiment']);
  const problems: RowProblem[] = [...table.problems];
  const examples: SentimentExample[] = [];
  for (const { line, values } of table.rows) {
    const raw = pyStrip(values.sentiment);
    const label = Number(raw);
    if (!LABEL.test(raw) || label < 0) {
      problems.push({
        file,
        line,
        message: `sentiment must be a non-negative integer, found ${JSON.stringify(values.sentiment)}`,
      });
      continue;
    }
    examples.push({ ...idAndSentence(values, options), label });
  }
  return settle(file, examples, sortByLine(problems), options.onMalformed);
}

/** Parses an unlabelled (test) sentiment file's text. */
export function parseSentimentTestData(
  text: string,
  file: string,
  options: LoadOptions = {},
): LoadResult<UnlabelledSentimentExample> {
  const table = readTable(text, file, ['id', 'sentence']);
  const examples = table.rows.map(({ values }) => idAndSentence(values, options));
  return settle(file, examples, table.problems, options.onMalformed);
}

export async function loadSentimentData(
  path: string,
  options: LoadOptions = {},
): Promise<LoadResult<SentimentExample>> {
  return parseSentimentData(await readTextFile(path), path, options);
}

export async function loadSentimentTestData(
  path: string,
  options: LoadOptions = {},
): Promise<LoadResult<UnlabelledSentimentExample>> {
  return parseSentimentTestData(await readTextFile(path), path, options);
}

/** The distinct labels, ascending (the reference's `num_labels` is their count). */
export function labelSet(examples: readonly { label: number }[]): number[] {
  return [...new Set(examples.map((e) => e.label))].sort((a, b) => a - b);
}

function idAndSentence(values: Record<string, string>, options: LoadOptions) {
  const sentence = values.sentence;
  return {
    id: pyStrip(values.id.toLowerCase()),
    sentence: options.preprocess === false ? sentence : pyStrip(sentence.toLowerCase()),
  };
}
