import type { RepoCache } from './cache-layout.js';

/** What the cache knows about one file at one revision, without the network. */
export type CacheLookup =
  | { found: 'file'; path: string }
  | { found: 'absent' }
  | { found: 'nothing'; reason: string };

/**
 * huggingface_hub's `try_to_load_from_cache`: `refs/<revision>` names the commit (a commit hash
 * names itself), then `snapshots/<commit>/<file>` is the file and `.no_exist/<commit>/<file>`
 * records that the repository has no such file.
 */
export async function lookupCached(
  cache: RepoCache,
  revision: string,
  file: string,
): Promise<CacheLookup> {
  const { stat } = await import('node:fs/promises');
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  const commit = await cache.commitOf(revision);
  if (commit === null) {
    return {
      found: 'nothing',
      reason: `no ${cache.refPath(revision)} (revision never downloaded)`,
    };
  }
  const path = cache.snapshotPath(commit, file);
  if (await exists(path)) return { found: 'file', path };
  if (await exists(cache.noExistPath(commit, file))) return { found: 'absent' };
  return { found: 'nothing', reason: `no ${path}` };
}
