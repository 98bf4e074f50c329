/**
 * Python `str` semantics the reference code relies on. JavaScript's `\s` and `trim()` differ from
 * Python's `str.split()` / `strip()` (JS counts U+FEFF as whitespace, Python counts U+001C–U+001F
 * and U+0085), and metrics like chrF count characters as Unicode code points, not UTF-16 units.
 */

/** Every code point for which Python's `str.isspace()` is true (also what `re`'s `\s` matches). */
export const PYTHON_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WHITESPACE_RUN = new RegExp(`[${PYTHON_WHITESPACE}]+`, 'u');
const LEADING = new RegExp(`^[${PYTHON_WHITESPACE}]+`, 'u');
const TRAILING = new RegExp(`[${PYTHON_WHITESPACE}]+$`, 'u');

/** Python's `s.split()` (no separator): runs of whitespace split, empty pieces dropped. */
export function pySplit(s: string): string[] {
  return s.split(WHITESPACE_RUN).filter((piece) => piece.length > 0);
}

/** Python's `s.strip()` (no argument). */
export function pyStrip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

/** The Unicode code points of `s` (Python indexes strings this way). */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Python's universal-newline reading (`open(path)`): `\r\n` and lone `\r` become `\n`. */
export function universalNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
