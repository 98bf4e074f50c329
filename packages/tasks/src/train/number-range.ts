/** What a number read from a flag or a JSON file may be: integer or not, and its bounds. */
export interface NumberRange {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
}

/** True when `value` is a finite number within `range`. */
export function inRange(value: unknown, range: NumberRange = {}): value is number {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.min === undefined || value >= range.min) &&
    (range.above === undefined || value > range.above) &&
    (range.max === undefined || value <= range.max) &&
    (range.below === undefined || value < range.below)
  );
}

/** `an integer ≥ 1`, `a number in [0, 1)`, `a number > 0`: what an error says was expected. */
export function describeRange(range: NumberRange = {}): string {
  const kind = range.integer ? 'an integer' : 'a number';
  const low = range.min ?? range.above;
  const high = range.max ?? range.below;
  if (low !== undefined && high !== undefined) {
    const open = range.min !== undefined ? '[' : '(';
    const close = range.max !== undefined ? ']' : ')';
    return `${kind} in ${open}${low}, ${high}${close}`;
  }
  if (low !== undefined) return `${kind} ${range.min !== undefined ? '≥' : '>'} ${low}`;
  if (high !== undefined) return `${kind} ${range.max !== undefined ? '≤' : '<'} ${high}`;
  return kind;
}
