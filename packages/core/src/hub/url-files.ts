import type { CheckpointFiles } from './checkpoint-files.js';
import { fetchWithAuth } from './http.js';
import { openHttpByteSource, readWhole } from './http-byte-source.js';
import type { HubSettings } from './settings.js';
import { isHtmlFallback, statusError } from './status-error.js';

/**
 * A checkpoint served under a base URL (Node): small files fetched whole, safetensors read with
 * range requests. Not cached: a URL has no commit or ETag contract to key a cache by.
 */
export function urlFiles(base: string, settings: HubSettings): CheckpointFiles {
  const subjectOf = (file: string) => ({ file, where: base, url: `${base}/${file}` });
  const optionalText = async (file: string) => {
    const subject = subjectOf(file);
    const response = await fetchWithAuth(subject.url, {}, settings);
    if (response.status === 404 || isHtmlFallback(response, file)) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw statusError(response, subject);
    return new TextDecoder().decode(await readWhole(response, subject, settings));
  };
  return {
    location: base,
    describe: (file) => subjectOf(file).url,
    async exists(file) {
      const subject = subjectOf(file);
      const response = await fetchWithAuth(subject.url, { method: 'HEAD' }, settings);
      if (response.status === 404 || isHtmlFallback(response, file)) return false;
      if (!response.ok) throw statusError(response, subject);
      return true;
    },
    optionalText,
    async text(file) {
      const text = await optionalText(file);
      if (text === undefined)
        throw statusError(new Response(null, { status: 404 }), subjectOf(file));
      return text;
    },
    open: (file) =>
      openHttpByteSource(subjectOf(file), { auth: settings, onProgress: settings.onProgress }),
  };
}
