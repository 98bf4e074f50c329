/**
 * Checks a downloaded file against its ETag where the ETag is a content hash, as the Hub's are:
 * SHA-256 of the bytes for LFS files (64 hex digits), the git blob SHA-1 for the others (40).
 * Other ETags (a plain web server's) say nothing about the bytes and are not checked.
 */
export async function contentHasher(
  etag: string,
  size: number,
): Promise<{ update(chunk: Uint8Array): void; matches(): boolean } | null> {
  const { createHash } = await import('node:crypto');
  if (/^[0-9a-f]{64}$/.test(etag)) {
    const hash = createHash('sha256');
    return { update: (c) => hash.update(c), matches: () => hash.digest('hex') === etag };
  }
  if (/^[0-9a-f]{40}$/.test(etag)) {
    const hash = createHash('sha1').update(`blob ${size}\0`);
    return { update: (c) => hash.update(c), matches: () => hash.digest('hex') === etag };
  }
  return null;
}
