import { pySplit, pyStrip } from '../text/python-strings.js';
import { type RowProblem, sortByLine } from './errors.js';
import { type LoadOptions, type LoadResult, settle } from './load-result.js';
import { readTextFile } from './read-text.js';
import { readTable } from './table.js';

/**
 * Quora question pairs (`quora-dev.csv`): tab-separated `\tid\tsentence1\tsentence2\tis_duplicate`,
 * fields sometimes CSV-quoted with doubled quotes, labels written as floats (`0.0` / `1.0`). Read
 * like the reference's `datasets.load_paraphrase_data`, except that rows it silently dropped (a
 * bare `except: pass` around the label parse) are reported.
 */

export interface ParaphraseExample {
  id: string;
  sentence1: string;
  sentence2: string;
  /** 1 = the questions are duplicates. */
  label: 0 | 1;
}

export interface UnlabelledParaphraseExample {
  id: string;
  sentence1: string;
  sentence2: string;
}

/** What Python's `float()` accepts for finite numbers (the reference does `int(float(x))`). */
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The reference's `preprocess_string`: lowercase, space before `. ? , '`, collapse whitespace. */
export function preprocessQuestion(s: string): string {
  const spaced = s
    .toLowerCase()
    .replaceAll('.', ' .')
    .replaceAll('?', ' ?')
    .replaceAll(',', ' ,')
    .replaceAll("'", " '");
  return pySplit(spaced).join(' ');
}

export function parseParaphraseData(
  text: string,
  file: string,
  options: LoadOptions = {},
): LoadResult<ParaphraseExample> {
  const table = readTable(text, file, ['id', 'sentence1', 'sentence2', 'is_duplicate']);
  const problems: RowProblem[] = [...table.problems];
  const examples: ParaphraseExample[] = [];
  for (const { line, values } of table.rows) {
    const raw = pyStrip(values.is_duplicate);
    const value = FLOAT.test(raw) ? Number(raw) : Number.NaN;
    if (value !== 0 && value !== 1) {
      problems.push({
        file,
        line,
        message: `is_duplicate must be 0 or 1 (e.g. 0.0 / 1.0), found ${JSON.stringify(values.is_duplicate)}`,
      });
      continue;
    }
    const questions = pair(values, line, file, options, problems);
    if (questions) examples.push({ ...questions, label: value });
  }
  return settle(file, examples, sortByLine(problems), options.onMalformed);
}

/** Parses an unlabelled (test) paraphrase file's text. */
export function parseParaphraseTestData(
  text: string,
  file: string,
  options: LoadOptions = {},
): LoadResult<UnlabelledParaphraseExample> {
  const table = readTable(text, file, ['id', 'sentence1', 'sentence2']);
  const problems: RowProblem[] = [...table.problems];
  const examples: UnlabelledParaphraseExample[] = [];
  for (const { line, values } of table.rows) {
    const questions = pair(values, line, file, options, problems);
    if (questions) examples.push(questions);
  }
  return settle(file, examples, sortByLine(problems), options.onMalformed);
}

export async function loadParaphraseData(
  path: string,
  options: LoadOptions = {},
): Promise<LoadResult<ParaphraseExample>> {
  return parseParaphraseData(await readTextFile(path), path, options);
}

export async function loadParaphraseTestData(
  path: string,
  options: LoadOptions = {},
): Promise<LoadResult<UnlabelledParaphraseExample>> {
  return parseParaphraseTestData(await readTextFile(path), path, options);
}

/** A row's id and questions, or undefined (and a problem) when a question is blank. */
function pair(
  values: Record<string, string>,
  line: number,
  file: string,
  options: LoadOptions,
  problems: RowProblem[],
): UnlabelledParaphraseExample | undefined {
  const blank = (['sentence1', 'sentence2'] as const).filter((key) => pyStrip(values[key]) === '');
  if (blank.length > 0) {
    problems.push({
      file,
      line,
      message: `${blank.join(' and ')} ${blank.length > 1 ? 'are' : 'is'} empty`,
    });
    return undefined;
  }
  const keep = options.preprocess === false;
  return {
    id: pyStrip(values.id.toLowerCase()),
    sentence1: keep ? values.sentence1 : preprocessQuestion(values.sentence1),
    sentence2: keep ? values.sentence2 : preprocessQuestion(values.sentence2),
  };
}
