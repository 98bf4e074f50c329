/** One bad row of a data file: where it is and what is wrong with it. */
export interface RowProblem {
  file: string;
  /** 1-based line on which the row starts. */
  line: number;
  message: string;
}

export function formatProblem(problem: RowProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}

/** Problems in file order (several checks may each add some). */
export function sortByLine(problems: RowProblem[]): RowProblem[] {
  return problems.sort((a, b) => a.line - b.line);
}

/** How many problems an error message lists; `DataFormatError.problems` always has all of them. */
const LISTED = 20;

/** A data file that cannot be read as its format says; `problems` lists every bad row. */
export class DataFormatError extends Error {
  readonly problems: RowProblem[];

  constructor(summary: string, problems: RowProblem[] = []) {
    const listed = problems.slice(0, LISTED).map((p) => `  ${formatProblem(p)}`);
    if (problems.length > LISTED) {
      listed.push(`  … and ${problems.length - LISTED} more (see error.problems)`);
    }
    super([summary, ...listed].join('\n'));
    this.name = 'DataFormatError';
    this.problems = problems;
  }
}
