import type { ByteSource } from '../safetensors/byte-source.js';
import { HubError } from './errors.js';
import { bodyChunks, fetchWithAuth, type RequestAuth } from './http.js';
import type { DownloadProgress } from './progress.js';
import { isHtmlFallback, type RequestSubject, statusError } from './status-error.js';

/** The Cache API bucket lgpt stores downloads in (whole files, keyed by their URL). */
export const BROWSER_CACHE_NAME = 'lgpt-hub-v1';

export interface BrowserFetchOptions {
  auth: RequestAuth;
  onProgress?: (progress: DownloadProgress) => void;
  optional?: boolean;
}

/**
 * A file through the browser's Cache API: served from the cache when stored, else downloaded
 * whole (the Cache API cannot store a partial, 206 answer), stored, and read back as a Blob so
 * its bytes stay on disk. A body shorter than its `Content-Length` makes the store fail, so
 * nothing truncated is kept. Null for an `optional` file the server does not have (404), which is
 * remembered too.
 */
export async function cachedBlob(
  subject: RequestSubject,
  options: BrowserFetchOptions,
): Promise<Blob | null> {
  const cache = await caches.open(BROWSER_CACHE_NAME);
  const hit = await cache.match(subject.url);
  if (hit?.status === 404 && options.optional) return null;
  if (hit?.ok) return hit.blob();
  let response = await fetchWithAuth(subject.url, {}, options.auth);
  if (isHtmlFallback(response, subject.file)) {
    await response.body?.cancel();
    response = new Response(null, {
      status: 404,
      statusText: 'Not Found (an HTML page came instead)',
    });
  }
  if (response.status === 404 && options.optional) {
    // Remembered, as huggingface_hub's `.no_exist/`, so a second visit asks for nothing.
    await cache.put(subject.url, new Response(null, { status: 404 }));
    return null;
  }
  if (!response.ok) throw statusError(response, subject);
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const declared = encoded ? Number.NaN : Number(response.headers.get('content-length'));
  const total = Number.isSafeInteger(declared) ? declared : undefined;
  const chunks = bodyChunks(response, subject.url);
  let loaded = 0;
  // Pulled as the cache writes, so the download never gets ahead of the disk.
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (!next.done) {
          controller.enqueue(next.value);
          loaded += next.value.byteLength;
          options.onProgress?.({ file: subject.file, loaded, total });
          return;
        }
        if (total !== undefined && loaded !== total) {
          throw new HubError(
            'truncated',
            `${subject.url}: ${subject.file} arrived with ${loaded} bytes, expected ${total}; nothing was cached`,
          );
        }
        controller.close();
      } catch (error) {
        controller.error(error);
      }
    },
  });
  const headers = new Headers(response.headers);
  headers.delete('content-encoding');
  let failure: unknown;
  await cache.put(subject.url, new Response(counted, { headers })).catch((error) => {
    failure = error;
  });
  if (failure !== undefined) {
    await cache.delete(subject.url);
    throw failure instanceof HubError
      ? failure
      : new HubError('truncated', `${subject.url}: download failed (${String(failure)})`);
  }
  const stored = await cache.match(subject.url);
  if (!stored)
    throw new HubError('http', `${subject.url}: the browser did not keep it in its cache`);
  return stored.blob();
}

/** Random access to a Blob (disk-backed for a cached response): each read slices what it needs. */
export function blobByteSource(blob: Blob, label: string): ByteSource {
  return {
    label,
    size: blob.size,
    read: async (offset, length) =>
      new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
    async stream(offset, length, write) {
      const reader = blob
        .slice(offset, offset + length)
        .stream()
        .getReader();
      for (let at = 0; ; ) {
        const { done, value } = await reader.read();
        if (done) return;
        write(value, at);
        at += value.byteLength;
      }
    },
    close: async () => {},
  };
}
