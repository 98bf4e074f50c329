import type { ByteSource } from '../safetensors/byte-source.js';
import { resolveLocation } from './location.js';
import { type HubOptions, hubSettings, isNode } from './settings.js';

/**
 * The files of one checkpoint, wherever it lives (a folder, a URL, a Hub repository; Node or
 * browser). Loaders read through this, so every `fromPretrained` resolves names the same way.
 */
export interface CheckpointFiles {
  /** The folder, base URL or `owner/name@revision`, for messages. */
  readonly location: string;
  /** `file`'s path or URL, for messages. */
  describe(file: string): string;
  /** True when the checkpoint has `file` (a Hub or browser checkpoint downloads it to know). */
  exists(file: string): Promise<boolean>;
  /** `file` as text; a missing file is an error naming it. */
  text(file: string): Promise<string>;
  /** `file` as text, or undefined when the checkpoint has no such file. */
  optionalText(file: string): Promise<string | undefined>;
  /** Random access to `file`'s bytes (read on demand, for safetensors). */
  open(file: string): Promise<ByteSource>;
  /** The folder's file names; only a local folder can be listed (Hub and URL files are asked for by name). */
  list?(): Promise<string[]>;
}

/**
 * Opens `nameOrPath` by the one resolution rule (see `resolveLocation`): an existing folder, an
 * http(s) base URL, or a Hub id / GPT-2 size name. In Node, Hub files go through the cache Python's
 * huggingface_hub uses; URLs are read with range requests. In a browser, both are stored whole in
 * the Cache API.
 */
export async function openCheckpoint(
  nameOrPath: string,
  options: HubOptions = {},
): Promise<CheckpointFiles> {
  const location = await resolveLocation(nameOrPath);
  const settings = hubSettings(options);
  if (location.kind === 'local') {
    const { localFiles } = await import('./local-files.js');
    return localFiles(location.dir);
  }
  if (!isNode()) {
    const { browserFiles } = await import('./browser-files.js');
    return browserFiles(location, settings);
  }
  if (location.kind === 'url') {
    const { urlFiles } = await import('./url-files.js');
    return urlFiles(location.base, settings);
  }
  const { hubCacheFiles } = await import('./hub-cache-files.js');
  return hubCacheFiles(location.repoId, settings);
}

/** Parses a JSON file of a checkpoint, with errors naming it. */
export function parseJsonFile(text: string, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${where}: expected a JSON object`);
  }
  return json as Record<string, unknown>;
}
