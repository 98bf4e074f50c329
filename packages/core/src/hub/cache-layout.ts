/** A full commit hash: a revision that names a snapshot directly, without a `refs/` file. */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/**
 * huggingface_hub's cache folder of one model repository (Node only):
 *
 *     models--owner--name/
 *       blobs/<etag>                 the files' contents, named by ETag (git SHA-1 or LFS SHA-256)
 *       refs/<revision>              the commit a branch or tag pointed to when last resolved
 *       snapshots/<commit>/<file>    relative symlinks to ../../blobs/<etag>
 *       .no_exist/<commit>/<file>    empty markers: the file does not exist at that commit
 */
export class RepoCache {
  readonly folder: string;

  constructor(
    readonly cacheDir: string,
    readonly repoId: string,
  ) {
    this.folder = `${cacheDir}/${repoFolderName(repoId)}`;
  }

  blobPath(etag: string): string {
    return `${this.folder}/blobs/${etag}`;
  }

  snapshotPath(commit: string, file: string): string {
    return `${this.folder}/snapshots/${commit}/${file}`;
  }

  noExistPath(commit: string, file: string): string {
    return `${this.folder}/.no_exist/${commit}/${file}`;
  }

  refPath(revision: string): string {
    return `${this.folder}/refs/${revision}`;
  }

  /** The commit `revision` resolved to last time (a commit hash is its own), or null. */
  async commitOf(revision: string): Promise<string | null> {
    if (COMMIT_HASH.test(revision)) return revision;
    const { readFile } = await import('node:fs/promises');
    return readFile(this.refPath(revision), 'utf8').then(
      (text) => text.trim(),
      () => null,
    );
  }

  /** Records `revision → commit` unless unchanged (as Python: a read-only cache still works). */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit || (await this.commitOf(revision)) === commit) return;
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(this.refPath(revision)), { recursive: true });
    await writeFile(this.refPath(revision), commit);
  }

  /**
   * Points `snapshots/<commit>/<file>` at the blob with a relative symlink (a copy where links
   * fail). The link is made under a name of its own and renamed into place: concurrent calls (two
   * processes, or one model's loaders) each replace the pointer atomically, where removing and
   * relinking it left a moment with no pointer for another caller to open, and a copy made onto
   * another caller's fresh link would have written the blob onto itself.
   */
  async linkSnapshot(commit: string, file: string, etag: string): Promise<string> {
    const { copyFile, mkdir, rename, rm, symlink } = await import('node:fs/promises');
    const { randomBytes } = await import('node:crypto');
    const { dirname, relative } = await import('node:path');
    const pointer = this.snapshotPath(commit, file);
    const blob = this.blobPath(etag);
    const fresh = `${pointer}.${randomBytes(4).toString('hex')}.incomplete`;
    await mkdir(dirname(pointer), { recursive: true });
    try {
      await symlink(relative(dirname(pointer), blob), fresh).catch(() => copyFile(blob, fresh));
      await rename(fresh, pointer);
    } finally {
      await rm(fresh, { force: true });
    }
    return pointer;
  }

  /** Remembers that `file` does not exist at `commit`, as Python does for optional files. */
  async markMissing(commit: string, file: string): Promise<void> {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    const marker = this.noExistPath(commit, file);
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, '');
  }
}

/** `owner/name` → `models--owner--name`, huggingface_hub's `repo_folder_name`. */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** huggingface_hub's `_normalize_etag`: without the weak prefix and the quotes. */
export function normalizeEtag(etag: string | null): string | null {
  return etag === null ? null : etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}
