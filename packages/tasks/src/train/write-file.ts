import { refuseOverwrite } from '@lgpt/core';

export interface WriteOptions {
  /** Replace an existing file. Default false: an existing file is an error. */
  overwrite?: boolean;
}

/**
 * Writes `text` to `path` through a temporary file renamed into place, so a reader never sees half
 * a file. Without `overwrite`, an existing `path` is an error and is left untouched.
 */
export async function writeTextFile(
  path: string,
  text: string,
  { overwrite = false }: WriteOptions = {},
): Promise<void> {
  await refuseOverwrite([path], overwrite);
  const fs = await import('node:fs/promises');
  const tmp = `${path}.tmp-${process.pid}`;
  await fs.writeFile(tmp, text, 'utf8');
  await fs.rename(tmp, path);
}
