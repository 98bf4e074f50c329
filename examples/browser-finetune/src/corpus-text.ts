import { splitSonnets, universalNewlines } from '@lgpt/tasks';

/** The sonnets of `sonnets.txt`, split as the reference's `SonnetsDataset` does. */
export function sonnetsOf(fileText: string): string[] {
  return splitSonnets(universalNewlines(fileText));
}

/** The training text: the sonnets, separated by a blank line. */
export function corpusOf(sonnets: readonly string[]): string {
  return sonnets.join('\n\n');
}
