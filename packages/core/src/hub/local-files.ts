import { openByteSource } from '../safetensors/byte-source.js';
import type { CheckpointFiles } from './checkpoint-files.js';

/** A checkpoint folder on disk (Node). */
export async function localFiles(dir: string): Promise<CheckpointFiles> {
  const { readdir, readFile, stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const describe = (file: string) => join(dir, file);
  const optionalText = (file: string) =>
    readFile(describe(file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new Error(`${describe(file)}: ${error.message}`);
    });
  return {
    location: dir,
    describe,
    exists: (file) =>
      stat(describe(file)).then(
        () => true,
        () => false,
      ),
    optionalText,
    async text(file) {
      const text = await optionalText(file);
      if (text === undefined) throw new Error(`${describe(file)} not found`);
      return text;
    },
    open: (file) => openByteSource(describe(file)),
    list: () =>
      readdir(dir).catch((error: Error) => {
        throw new Error(`${dir}: cannot read the checkpoint folder (${error.message})`);
      }),
  };
}
