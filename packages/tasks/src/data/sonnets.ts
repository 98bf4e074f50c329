import { PYTHON_WHITESPACE, pyStrip } from '../text/python-strings.js';
import { DataFormatError, type RowProblem } from './errors.js';
import { readTextFile } from './read-text.js';

/**
 * The sonnet files (`sonnets.txt`, `sonnets_held_out*.txt`, `TRUE_sonnets_held_out_dev.txt`): a
 * header, then each sonnet after its number on a line of its own. Split exactly like the
 * reference's `SonnetsDataset`: `re.split(r'\n\s*\d+\s*\n', text)[1:]`, each piece stripped. The
 * header is dropped and a sonnet's id is its position in the file (its number is not kept).
 */

/** Python's `\s` and `\d` (any Unicode decimal digit), not JavaScript's. */
const SONNET_NUMBER_LINE = new RegExp(
  `\\n[${PYTHON_WHITESPACE}]*\\p{Nd}+[${PYTHON_WHITESPACE}]*\\n`,
  'u',
);

/** The sonnets of a file's text (already in universal-newline form), header dropped. */
export function splitSonnets(text: string): string[] {
  return text.split(SONNET_NUMBER_LINE).slice(1).map(pyStrip);
}

/** The 1-based line of each sonnet's number, in file order (the pieces `splitSonnets` returns). */
function sonnetNumberLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let scanned = 0;
  for (const match of text.matchAll(new RegExp(SONNET_NUMBER_LINE.source, 'gu'))) {
    // The match may start with blank lines before the number: its line is its first digit's.
    const digit = match.index + match[0].search(/\p{Nd}/u);
    for (; scanned < digit; scanned++) if (text[scanned] === '\n') line++;
    lines.push(line);
  }
  return lines;
}

/**
 * Reads a sonnet file; a file with no numbered sonnet in it, or a number with no text after it,
 * is an error naming the file and line (an empty sonnet has no tokens to train on).
 */
export async function loadSonnets(path: string): Promise<string[]> {
  const text = await readTextFile(path);
  const sonnets = splitSonnets(text);
  if (sonnets.length === 0) {
    throw new DataFormatError(
      `${path}: no sonnets found (each must follow its number on a line of its own)`,
    );
  }
  const lines = sonnetNumberLines(text);
  const problems: RowProblem[] = [];
  sonnets.forEach((sonnet, i) => {
    if (sonnet === '')
      problems.push({ file: path, line: lines[i], message: 'the sonnet is empty' });
  });
  if (problems.length > 0) {
    throw new DataFormatError(`${path}: ${problems.length} empty sonnet(s)`, problems);
  }
  return sonnets;
}

/** The first `lines` lines of a sonnet: the generation prompt (the held-out files hold only 3). */
export function sonnetPrompt(sonnet: string, lines = 3): string {
  return sonnet.split('\n').slice(0, lines).join('\n');
}
