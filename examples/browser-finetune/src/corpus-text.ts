import { splitSonnets } from '@lgpt/tasks';

/** The sonnets of `sonnets.txt`, split as the reference's `SonnetsDataset` does. */
export function sonnetsOf(fileText: string): string[] {
  // Python's open() reads \r\n and \r as \n (universal newlines); the reference reads it so.
  return splitSonnets(fileText.replace(/\r\n?/g, '\n'));
}

/** The training text: the sonnets, separated by a blank line. */
export function corpusOf(sonnets: readonly string[]): string {
  return sonnets.join('\n\n');
}
