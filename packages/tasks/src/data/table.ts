import { DataFormatError, type RowProblem } from './errors.js';
import { parseDelimited } from './tsv.js';

export interface TableRow {
  line: number;
  /** The requested columns of this row, by name. */
  values: Record<string, string>;
}

export interface Table {
  rows: TableRow[];
  /** Rows whose field count differs from the header's. */
  problems: RowProblem[];
}

/**
 * Reads the named columns of a tab-separated file with a header row, as `csv.DictReader` sees it
 * (a repeated column name means its last occurrence). A missing column is an error naming the file
 * and its header; a row with more or fewer fields than the header is reported, not guessed at (the
 * reference either crashed on it or silently ignored the extra fields).
 */
export function readTable(text: string, file: string, columns: readonly string[]): Table {
  const [header, ...records] = parseDelimited(text);
  if (!header) throw new DataFormatError(`${file}: empty file (expected a header row)`);
  const index: Record<string, number> = {};
  for (const name of columns) {
    index[name] = header.fields.lastIndexOf(name);
    if (index[name] < 0) {
      const found = header.fields.map((f) => JSON.stringify(f)).join(', ');
      throw new DataFormatError(`${file}: the header has no '${name}' column (found ${found})`);
    }
  }
  const rows: TableRow[] = [];
  const problems: RowProblem[] = [];
  for (const { fields, line } of records) {
    if (fields.length !== header.fields.length) {
      problems.push({
        file,
        line,
        message: `expected ${header.fields.length} tab-separated fields like the header, found ${fields.length}`,
      });
      continue;
    }
    const values: Record<string, string> = {};
    for (const name of columns) values[name] = fields[index[name]];
    rows.push({ line, values });
  }
  return { rows, problems };
}
