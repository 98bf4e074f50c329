import { COMMIT_HASH, normalizeEtag, RepoCache } from './cache-layout.js';
import { lookupCached } from './cache-lookup.js';
import { HubError } from './errors.js';
import { bodyChunks, fetchWithAuth } from './http.js';
import type { HubSettings } from './settings.js';
import { statusError } from './status-error.js';
import { contentHasher } from './verify.js';

/** `<endpoint>/<owner>/<name>/resolve/<revision>/<file>`, the Hub's download address. */
export function resolveUrl(
  endpoint: string,
  repoId: string,
  revision: string,
  file: string,
): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/**
 * huggingface_hub's `hf_hub_download` into its cache (Node): asks the Hub for the file's commit
 * and ETag (a HEAD that stops at the redirect to the CDN), records `refs/<revision>`, reuses the
 * blob when present, else downloads it to `blobs/<etag>.<random>.incomplete`, checks size and
 * hash, and renames it. Resolves to the snapshot path, or null for an `optional` file the
 * repository lacks.
 */
export async function downloadToCache(
  repoId: string,
  file: string,
  settings: HubSettings,
  optional = false,
): Promise<string | null> {
  const { revision } = settings;
  const cache = new RepoCache(settings.cacheDir, repoId);
  const where = `${repoId}@${revision}`;
  const cached = await lookupCached(cache, revision, file);
  if (cached.found === 'file' && COMMIT_HASH.test(revision)) return cached.path;
  if (settings.offline) {
    if (cached.found === 'file') return cached.path;
    if (cached.found === 'absent' && optional) return null;
    const reason = cached.found === 'absent' ? 'the repository has no such file' : cached.reason;
    throw new HubError(
      'offline-miss',
      `${where}: offline mode (HF_HUB_OFFLINE) and ${file} is not in the cache ${cache.folder}: ${reason}. Unset HF_HUB_OFFLINE to download it`,
    );
  }
  const url = resolveUrl(settings.endpoint, repoId, revision, file);
  const subject = { file, where: repoId, revision, url };
  let head: Response;
  try {
    head = await fetchWithAuth(
      url,
      { method: 'HEAD', headers: { 'accept-encoding': 'identity' } },
      settings,
      { stopAtOtherHost: true },
    );
  } catch (error) {
    if (!(error instanceof HubError && error.code === 'network')) throw error;
    // As Python: without a network, what the cache holds for this revision is used.
    if (cached.found === 'file') return cached.path;
    if (cached.found === 'absent' && optional) return null;
    throw new HubError(
      'network',
      `${where}: ${error.message}, and ${file} is not in the cache ${cache.folder}. Check the connection (or HF_ENDPOINT), or set HF_HUB_OFFLINE=1 to use cached files only`,
    );
  }
  const commit = head.headers.get('x-repo-commit');
  if (head.status === 404 && head.headers.get('x-error-code') === 'EntryNotFound') {
    if (commit) await cache.markMissing(commit, file);
    if (optional) return null;
  }
  if (!head.ok && !head.headers.get('location')) throw statusError(head, subject);
  const etag = normalizeEtag(head.headers.get('x-linked-etag') ?? head.headers.get('etag'));
  if (!commit || !etag) {
    throw new HubError(
      'http',
      `${url}: the server sent no ${commit ? 'ETag' : 'X-Repo-Commit'} header; is ${settings.endpoint} a Hugging Face Hub endpoint?`,
    );
  }
  const size = Number(head.headers.get('x-linked-size') ?? head.headers.get('content-length'));
  await cache.writeRef(revision, commit);
  const pointer = cache.snapshotPath(commit, file);
  const { stat } = await import('node:fs/promises');
  if (await stat(pointer).catch(() => null)) return pointer;
  if (!(await stat(cache.blobPath(etag)).catch(() => null))) {
    const location = head.headers.get('location');
    const downloadUrl = location ? new URL(location, url).href : url;
    await downloadBlob(downloadUrl, cache.blobPath(etag), etag, size, subject, settings);
  }
  return cache.linkSnapshot(commit, file, etag);
}

/**
 * Streams `url` into `<blob>.<random>.incomplete` and renames it onto the blob once size and hash
 * match; else removes it. The temporary name is this download's own, as huggingface_hub's is: two
 * processes (or two calls) downloading the same blob each write their own file, and each rename
 * puts a complete, verified copy in place, where a shared `.incomplete` file got truncated and
 * renamed away under the other writer.
 */
async function downloadBlob(
  url: string,
  blob: string,
  etag: string,
  expectedSize: number,
  subject: { file: string; where: string; revision: string; url: string },
  settings: HubSettings,
): Promise<void> {
  const { mkdir, open, rename, rm, stat } = await import('node:fs/promises');
  const { randomBytes } = await import('node:crypto');
  const { dirname } = await import('node:path');
  const response = await fetchWithAuth(
    url,
    { headers: { 'accept-encoding': 'identity' } },
    settings,
  );
  if (!response.ok) throw statusError(response, { ...subject, url });
  const total = Number.isFinite(expectedSize) && expectedSize > 0 ? expectedSize : undefined;
  const hasher = await contentHasher(etag, total ?? 0);
  const incomplete = `${blob}.${randomBytes(4).toString('hex')}.incomplete`;
  await mkdir(dirname(blob), { recursive: true });
  const handle = await open(incomplete, 'w');
  let loaded = 0;
  try {
    try {
      for await (const chunk of bodyChunks(response, `${subject.where}: ${subject.file}`)) {
        await handle.write(chunk);
        hasher?.update(chunk);
        loaded += chunk.byteLength;
        settings.onProgress?.({ file: subject.file, loaded, total });
      }
    } finally {
      await handle.close();
    }
    if (total !== undefined && loaded !== total) {
      throw new HubError(
        'truncated',
        `${subject.where}: ${subject.file} arrived with ${loaded} bytes, expected ${total}; nothing was cached, try again`,
      );
    }
    if (hasher && total !== undefined && !hasher.matches()) {
      throw new HubError(
        'truncated',
        `${subject.where}: ${subject.file} does not match its ETag ${etag} (corrupted download); nothing was cached, try again`,
      );
    }
    // Where replacing an existing file fails (Windows, while another process reads it), the copy
    // already in place is as good as this one.
    await rename(incomplete, blob).catch(async (error) => {
      if (!(await stat(blob).catch(() => null))) throw error;
    });
  } finally {
    await rm(incomplete, { force: true });
  }
}
