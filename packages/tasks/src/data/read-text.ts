import { universalNewlines } from '../text/python-strings.js';

/**
 * Reads a UTF-8 text file the way the reference's `open(path)` does (universal newlines), but
 * rejects invalid UTF-8 with the file name instead of decoding it to replacement characters.
 */
export async function readTextFile(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path} is not valid UTF-8 text`);
  }
  return universalNewlines(text);
}
