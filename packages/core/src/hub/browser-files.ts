import { blobByteSource, cachedBlob } from './browser-cache.js';
import type { CheckpointFiles } from './checkpoint-files.js';
import { resolveUrl } from './hub-download.js';
import type { CheckpointLocation } from './location.js';
import type { HubSettings } from './settings.js';
import { statusError } from './status-error.js';

/** A Hub repository or URL in a browser: whole files through the Cache API, read back as Blobs. */
export function browserFiles(
  location: Exclude<CheckpointLocation, { kind: 'local' }>,
  settings: HubSettings,
): CheckpointFiles {
  const subjectOf = (file: string) =>
    location.kind === 'url'
      ? { file, where: location.base, url: `${location.base}/${file}` }
      : {
          file,
          where: location.repoId,
          revision: settings.revision,
          url: resolveUrl(settings.endpoint, location.repoId, settings.revision, file),
        };
  const blob = (file: string, optional: boolean) =>
    cachedBlob(subjectOf(file), { auth: settings, onProgress: settings.onProgress, optional });
  const required = async (file: string) => {
    const found = await blob(file, false);
    if (!found) throw statusError(new Response(null, { status: 404 }), subjectOf(file));
    return found;
  };
  return {
    location: location.kind === 'url' ? location.base : `${location.repoId}@${settings.revision}`,
    describe: (file) => subjectOf(file).url,
    exists: async (file) => (await blob(file, true)) !== null,
    optionalText: async (file) => (await blob(file, true))?.text(),
    text: async (file) => (await required(file)).text(),
    open: async (file) => blobByteSource(await required(file), subjectOf(file).url),
  };
}
