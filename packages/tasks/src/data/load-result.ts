import { DataFormatError, type RowProblem } from './errors.js';

/**
 * What to do with malformed rows: `'throw'` (default) stops with a `DataFormatError` listing every
 * one; `'skip'` leaves them out and returns them in `skipped` for the caller to report.
 */
export type MalformedRows = 'throw' | 'skip';

export interface LoadOptions {
  onMalformed?: MalformedRows;
  /**
   * Apply the reference's text preprocessing (default true): lowercase and strip for sentiment,
   * `preprocess_string` for paraphrase pairs. Ids are always lowercased and stripped, as there.
   */
  preprocess?: boolean;
  /**
   * Labelled sentiment files: labels are class indices below this (default 1000), so a typo like
   * `99999999999` is reported at its line instead of sizing a classifier head by it.
   */
  maxClasses?: number;
}

export interface LoadResult<T> {
  examples: T[];
  /** The malformed rows left out (only ever non-empty with `onMalformed: 'skip'`). */
  skipped: RowProblem[];
}

export function settle<T>(
  file: string,
  examples: T[],
  problems: RowProblem[],
  onMalformed: MalformedRows = 'throw',
): LoadResult<T> {
  if (problems.length > 0 && onMalformed === 'throw') {
    throw new DataFormatError(
      `${file}: ${problems.length} malformed row(s); fix them, or pass { onMalformed: 'skip' } to leave them out (they are then listed in the result's 'skipped')`,
      problems,
    );
  }
  if (examples.length === 0) {
    // A header-only file would otherwise train on nothing, or crash later on an empty batch.
    const why = problems.length > 0 ? 'every row is malformed' : 'only a header row';
    throw new DataFormatError(`${file}:1: no examples (${why})`, problems);
  }
  return { examples, skipped: problems };
}
