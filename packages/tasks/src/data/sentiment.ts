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
const DEFAULT_MAX_CLASSES = 1000;

/** Parses a labelled sentiment file's text; `file` names it in errors. */
export function parseSentimentData(
  text: string,
  file: string,
  options: LoadOptions = {},
): LoadResult<SentimentExample> {
  const table = readTable(text, file, ['id', 'sentence', 'sentiment']);
  const problems: RowProblem[] = [...table.problems];
  const examples: SentimentExample[] = [];
  const maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
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
    if (label >= maxClasses) {
      problems.push({
        file,
        line,
        message: `sentiment ${raw} is not a class index below ${maxClasses} (SST has 0–4, CFIMDB 0–1; raise LoadOptions.maxClasses for more classes)`,
      });
      continue;
    }
    const example = sentimentRow(values, line, file, options, problems);
    if (example) examples.push({ ...example, label });
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
  const problems: RowProblem[] = [...table.problems];
  const examples: UnlabelledSentimentExample[] = [];
  for (const { line, values } of table.rows) {
    const example = sentimentRow(values, line, file, options, problems);
    if (example) examples.push(example);
  }
  return settle(file, examples, sortByLine(problems), options.onMalformed);
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

/** A row's id and sentence, or undefined (and a problem) when the sentence is blank. */
function sentimentRow(
  values: Record<string, string>,
  line: number,
  file: string,
  options: LoadOptions,
  problems: RowProblem[],
): UnlabelledSentimentExample | undefined {
  const sentence = values.sentence;
  if (pyStrip(sentence) === '') {
    // An empty sentence tokenizes to nothing: alone in a batch it has no token to classify.
    problems.push({ file, line, message: 'sentence is empty' });
    return undefined;
  }
  return {
    id: pyStrip(values.id.toLowerCase()),
    sentence: options.preprocess === false ? sentence : pyStrip(sentence.toLowerCase()),
  };
}
