import { isNode } from './settings.js';

/** Where a checkpoint lives, decided by `resolveLocation`. */
export type CheckpointLocation =
  | { kind: 'local'; dir: string }
  | { kind: 'url'; base: string }
  | { kind: 'hub'; repoId: string };

/**
 * GPT-2's size names, as `transformers` resolves them: the Hub moved the original single-name
 * repositories under the organisations that published them.
 */
export const SIZE_NAME_REPOS: Readonly<Record<string, string>> = {
  gpt2: 'openai-community/gpt2',
  'gpt2-medium': 'openai-community/gpt2-medium',
  'gpt2-large': 'openai-community/gpt2-large',
  'gpt2-xl': 'openai-community/gpt2-xl',
  distilgpt2: 'distilbert/distilgpt2',
};

/** huggingface_hub's repo id rule: `owner/name`, word characters, `-` and `.`, no `--` or `..`. */
const REPO_ID = /^[\w.-]+\/[\w.-]+$/;

/**
 * The one rule every `fromPretrained` follows, in order: an existing local path (relative or
 * absolute); an `http(s)://` base URL; a Hub id `owner/name`; a GPT-2 size name (`gpt2`, …, which
 * means `openai-community/<name>`). Anything else is an error that says which forms are accepted.
 */
export async function resolveLocation(nameOrPath: string): Promise<CheckpointLocation> {
  if (isNode() && (await pathExists(nameOrPath))) return { kind: 'local', dir: nameOrPath };
  if (/^https?:\/\//i.test(nameOrPath))
    return { kind: 'url', base: nameOrPath.replace(/\/+$/, '') };
  const sized = SIZE_NAME_REPOS[nameOrPath];
  if (sized) return { kind: 'hub', repoId: sized };
  if (isRepoId(nameOrPath)) return { kind: 'hub', repoId: nameOrPath };
  if (isNode() && looksLikePath(nameOrPath)) {
    throw new Error(`${nameOrPath}: no such folder (nor an http(s) URL or a Hub id owner/name)`);
  }
  throw new Error(
    `'${nameOrPath}' is not ${isNode() ? 'an existing folder, ' : ''}an http(s):// URL, a Hub id (owner/name) or a GPT-2 size (${Object.keys(SIZE_NAME_REPOS).join(', ')})`,
  );
}

export function isRepoId(text: string): boolean {
  return (
    REPO_ID.test(text) &&
    !text.includes('--') &&
    !text.includes('..') &&
    text.split('/').every((part) => !/^[.-]|[.-]$/.test(part))
  );
}

/** Absolute, `./`-relative, `~`, a drive letter, or deeper than `owner/name`. */
function looksLikePath(text: string): boolean {
  return /^(\/|\.{1,2}[\\/]|~|[a-z]:[\\/])/i.test(text) || text.split(/[\\/]/).length > 2;
}

async function pathExists(path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(path).then(
    () => true,
    () => false,
  );
}
