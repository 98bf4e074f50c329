import { type ByteSource, bufferByteSource } from '../safetensors/byte-source.js';
import { HubError } from './errors.js';
import { bodyChunks, fetchWithAuth, type RequestAuth } from './http.js';
import type { DownloadProgress } from './progress.js';
import { type RequestSubject, statusError } from './status-error.js';

export interface HttpReadOptions {
  auth: RequestAuth;
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Random access to a file over HTTP: where the server honours `Range` (answers 206), each read is
 * one range request, so a safetensors file is read header first and then tensor by tensor, never
 * whole. Where it does not (answers 200), the body is read once into memory and served from there.
 */
export async function openHttpByteSource(
  subject: RequestSubject,
  options: HttpReadOptions,
): Promise<ByteSource> {
  const { file } = subject;
  const probe = await fetchWithAuth(subject.url, { headers: { range: 'bytes=0-7' } }, options.auth);
  if (probe.status === 200) {
    return bufferByteSource(await readWhole(probe, subject, options), subject.url);
  }
  if (probe.status !== 206) throw statusError(probe, subject);
  await probe.body?.cancel();
  const size = Number(probe.headers.get('content-range')?.split('/')[1]);
  if (!Number.isSafeInteger(size)) {
    throw new HubError('http', `${subject.url}: 206 answer without a total size in Content-Range`);
  }
  // Later reads go straight to where the redirects led (the token stays with the endpoint).
  const target = probe.url || subject.url;
  const etag = probe.headers.get('etag');
  let loaded = 0;
  const source: ByteSource = {
    label: subject.url,
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      await source.stream(offset, length, (piece, at) => out.set(piece, at));
      return out;
    },
    // Each piece goes to `write` as it arrives: the range is never held whole in a buffer here.
    async stream(offset, length, write) {
      if (length === 0) return;
      const response = await fetchWithAuth(
        target,
        { headers: { range: `bytes=${offset}-${offset + length - 1}` } },
        options.auth,
      );
      if (response.status !== 206) throw statusError(response, subject);
      const now = response.headers.get('etag');
      if (etag && now && now !== etag) {
        await response.body?.cancel();
        throw new HubError(
          'truncated',
          `${subject.url}: the file changed while it was read (ETag ${etag} → ${now})`,
        );
      }
      let done = 0;
      for await (const chunk of bodyChunks(response, `${subject.url}`)) {
        if (done + chunk.byteLength > length) break;
        write(chunk, done);
        done += chunk.byteLength;
        loaded += chunk.byteLength;
        options.onProgress?.({ file, loaded, total: size });
      }
      if (done !== length) {
        throw new HubError(
          'truncated',
          `${subject.url}: bytes ${offset}..${offset + length} arrived with ${done} of ${length} bytes`,
        );
      }
    },
    close: async () => {},
  };
  return source;
}

/** A whole body into one buffer (allocated once when the length is known), with progress and a size check. */
export async function readWhole(
  response: Response,
  subject: RequestSubject,
  options: { onProgress?: (progress: DownloadProgress) => void },
): Promise<Uint8Array> {
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const declared = encoded
    ? Number.NaN
    : Number(response.headers.get('content-length') ?? Number.NaN);
  const total = Number.isSafeInteger(declared) ? declared : undefined;
  const chunks: Uint8Array[] = [];
  let out = total !== undefined ? new Uint8Array(total) : null;
  let loaded = 0;
  for await (const chunk of bodyChunks(response, subject.url)) {
    if (out && loaded + chunk.byteLength <= out.byteLength) out.set(chunk, loaded);
    else chunks.push(chunk);
    loaded += chunk.byteLength;
    options.onProgress?.({ file: subject.file, loaded, total });
  }
  if (total !== undefined && loaded !== total) {
    throw new HubError(
      'truncated',
      `${subject.url}: ${subject.file} arrived with ${loaded} bytes, expected ${total}`,
    );
  }
  if (!out) {
    out = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
  }
  return out;
}
