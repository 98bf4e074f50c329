import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { killPoint } from './kill-point.js';

/** Where a folder's replacement is written, next to it (so the final rename stays on one disk). */
export const newSibling = (target: string) => `${target}.lgpt-new`;
/** Where the folder being replaced waits while its replacement is renamed into place. */
export const oldSibling = (target: string) => `${target}.lgpt-old`;

export interface ReplaceOptions {
  /** Names this replacement's kill points (`<label>:written`, `<label>:moved-aside`). */
  label?: string;
}

/**
 * Replaces the folder `target` by one that `write(dir)` fills, so that a crash at any moment leaves
 * either the old folder or the complete new one to find: the new folder is written as
 * `<target>.lgpt-new`, then `target` is renamed to `<target>.lgpt-old`, the new one to `target`,
 * and only then is the old one removed. `recoverReplacement` finishes an interrupted replacement.
 */
export async function replaceDir(
  target: string,
  write: (dir: string) => Promise<void>,
  { label = target }: ReplaceOptions = {},
): Promise<void> {
  const fresh = newSibling(target);
  await rm(fresh, { recursive: true, force: true });
  await mkdir(fresh, { recursive: true });
  await write(fresh);
  killPoint(`${label}:written`);
  await promote(target, label);
}

/** Renames the complete `<target>.lgpt-new` into place, setting `target` aside until then. */
export async function promote(target: string, label = target): Promise<void> {
  const old = oldSibling(target);
  if (existsSync(target)) {
    await rm(old, { recursive: true, force: true });
    await rename(target, old);
    killPoint(`${label}:moved-aside`);
  }
  await rename(newSibling(target), target);
  await rm(old, { recursive: true, force: true });
}

export interface RecoverOptions {
  /** Whether a `<target>.lgpt-new` was written to the end (only then does it replace `target`). */
  isComplete: (dir: string) => Promise<boolean>;
  /**
   * Whether a sibling is lgpt's own, so it may be renamed or removed (default: always, for folders
   * inside a run). A sibling that is not is an error, never touched.
   */
  isOwn?: (dir: string) => Promise<boolean>;
}

/**
 * Finishes a `replaceDir` that a crash interrupted: a complete `<target>.lgpt-new` takes
 * `target`'s place; an incomplete one is removed; a `<target>.lgpt-old` is put back when `target`
 * is missing, else removed. Returns whether a new folder was moved into place.
 */
export async function recoverReplacement(
  target: string,
  { isComplete, isOwn = async () => true }: RecoverOptions,
): Promise<boolean> {
  const fresh = newSibling(target);
  const old = oldSibling(target);
  for (const dir of [fresh, old]) {
    if (existsSync(dir) && !(await isOwn(dir))) {
      throw new Error(
        `${dir} is not lgpt's: lgpt names the folders it swaps in and out of ${target} like this; move it elsewhere`,
      );
    }
  }
  if (existsSync(fresh)) {
    if (await isComplete(fresh)) {
      await promote(target);
      return true;
    }
    await rm(fresh, { recursive: true, force: true });
  }
  if (existsSync(old)) {
    if (existsSync(target)) await rm(old, { recursive: true, force: true });
    else await rename(old, target);
  }
  return false;
}
