import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { JsonFields, readJsonRecord } from './json-fields.js';
import { newSibling, promote, recoverReplacement } from './replace-dir.js';

/**
 * Output folders lgpt writes (a training run, prediction files, a comparison) carry a small
 * manifest, `lgpt-output.json`. lgpt replaces a folder only when it carries one of the same kind:
 * the user's own folders are never removed, whatever the flags. A new output is written into the
 * sibling `<folder>.lgpt-new` and swapped in only once it is complete (a run: once it has its
 * first checkpoint), so a command that fails early leaves the old output as it was.
 */
export const MANIFEST_FILE = 'lgpt-output.json';
export const OUTPUT_KINDS = ['run', 'predictions', 'comparison'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];
const MANIFEST_VERSION = 1;

/** An output folder lgpt may not write or replace; the message names the folder and why. */
export class OutputFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFolderError';
  }
}

/** The kind of lgpt output `dir` holds (its manifest, checked), or null when it has no manifest. */
export async function outputKind(dir: string): Promise<OutputKind | null> {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return null;
  const fields = new JsonFields(path, await readJsonRecord(path));
  fields.number('version', { integer: true, min: 1, max: MANIFEST_VERSION });
  return fields.oneOf('lgpt', OUTPUT_KINDS);
}

export async function writeManifest(dir: string, kind: OutputKind): Promise<void> {
  const manifest = { lgpt: kind, version: MANIFEST_VERSION };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export interface TargetOptions {
  /** Replace an existing lgpt output of the same kind (default false). */
  overwrite?: boolean;
  /** What to suggest when the folder exists and `overwrite` is not set. */
  existsHint?: string;
}

/**
 * Checks, before any work, that `dir` can receive a new `kind` output: it is not the working folder
 * or one above it, not a file or a link, and either absent, empty, or (with `overwrite`) an lgpt
 * output of this kind.
 */
export async function checkOutputTarget(
  dir: string,
  kind: OutputKind,
  { overwrite = false, existsHint = 'pass --overwrite to replace it' }: TargetOptions = {},
): Promise<void> {
  const target = resolve(dir);
  const fromTarget = relative(target, process.cwd());
  const outside =
    fromTarget === '..' || fromTarget.startsWith(`..${sep}`) || isAbsolute(fromTarget);
  if (!outside) {
    throw new OutputFolderError(
      `${dir}: holds the working folder (${process.cwd()}); give lgpt a folder of its own`,
    );
  }
  const stat = await lstat(target).catch(() => null);
  if (!stat) return;
  if (stat.isSymbolicLink()) {
    throw new OutputFolderError(`${dir}: is a symbolic link; give the folder itself`);
  }
  if (!stat.isDirectory()) throw new OutputFolderError(`${dir}: is a file, not a folder`);
  if (await isEmptyDir(target)) return;
  const found = await outputKind(target);
  if (found === null) {
    throw new OutputFolderError(
      `${dir}: is not empty and is not an lgpt ${kind} folder (no ${MANIFEST_FILE}); lgpt never replaces a folder it did not write: choose another folder`,
    );
  }
  if (found !== kind) {
    throw new OutputFolderError(`${dir}: holds an lgpt ${found}, not a ${kind}`);
  }
  if (!overwrite) throw new OutputFolderError(`${dir}: already exists; ${existsHint}`);
}

/**
 * Creates the empty `<dir>.lgpt-new` (with its manifest) that a new output is written into, after
 * removing an earlier one that never completed.
 */
export async function createStaging(dir: string, kind: OutputKind): Promise<string> {
  const staging = newSibling(resolve(dir));
  if (existsSync(staging)) {
    if (!(await isOwnOutput(staging))) {
      throw new OutputFolderError(
        `${staging}: is not lgpt's, but lgpt writes a new ${dir} there first; move it elsewhere`,
      );
    }
    await rm(staging, { recursive: true, force: true });
  }
  await mkdir(dirname(staging), { recursive: true });
  await mkdir(staging);
  await writeManifest(staging, kind);
  return staging;
}

/**
 * Swaps the complete `<dir>.lgpt-new` in for `dir`, checking again that what it replaces is an lgpt
 * output of the same kind (or nothing).
 */
export async function swapIn(dir: string, kind: OutputKind, label = kind): Promise<void> {
  await checkOutputTarget(dir, kind, { overwrite: true });
  await promote(resolve(dir), label);
}

/**
 * Finishes an interrupted `swapIn`: a complete `<dir>.lgpt-new` (a run: one with a committed
 * checkpoint) takes `dir`'s place, if `dir` may still be replaced; an incomplete one is removed (a
 * run that never reached its first checkpoint).
 */
export async function recoverOutput(
  dir: string,
  kind: OutputKind,
  isComplete: (staging: string) => Promise<boolean>,
): Promise<void> {
  await recoverReplacement(resolve(dir), {
    isComplete: async (staging) => {
      if (!(await isComplete(staging))) return false;
      await checkOutputTarget(dir, kind, { overwrite: true });
      return true;
    },
    isOwn: isOwnOutput,
  });
}

/** An lgpt output folder, or an empty one (what an empty `--out` becomes once set aside). */
async function isOwnOutput(dir: string): Promise<boolean> {
  return (await isEmptyDir(dir)) || (await outputKind(dir)) !== null;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir)).length === 0;
}
