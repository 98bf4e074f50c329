import { openByteSource } from '../safetensors/byte-source.js';
import type { CheckpointFiles } from './checkpoint-files.js';
import { downloadToCache, resolveUrl } from './hub-download.js';
import type { HubSettings } from './settings.js';

/** A Hub repository in Node: every file goes through huggingface_hub's cache, then is read from disk. */
export function hubCacheFiles(repoId: string, settings: HubSettings): CheckpointFiles {
  const location = `${repoId}@${settings.revision}`;
  const optionalText = async (file: string) => {
    const path = await downloadToCache(repoId, file, settings, true);
    if (path === null) return undefined;
    const { readFile } = await import('node:fs/promises');
    return readFile(path, 'utf8');
  };
  return {
    location,
    describe: (file) => resolveUrl(settings.endpoint, repoId, settings.revision, file),
    exists: async (file) => (await downloadToCache(repoId, file, settings, true)) !== null,
    optionalText,
    async text(file) {
      const path = await downloadToCache(repoId, file, settings);
      const { readFile } = await import('node:fs/promises');
      return readFile(path as string, 'utf8');
    },
    async open(file) {
      return openByteSource((await downloadToCache(repoId, file, settings)) as string);
    },
  };
}
