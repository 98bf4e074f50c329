import type { DownloadProgress } from './progress.js';

/** Options every `fromPretrained` accepts for remote checkpoints (all default from the environment). */
export interface HubOptions {
  /** Branch, tag or commit of a Hub repository. Default `main`. */
  revision?: string;
  /** Access token for gated or private repositories. Default `HF_TOKEN`. */
  token?: string;
  /** The Hub's address. Default `HF_ENDPOINT`, else `https://huggingface.co`. */
  endpoint?: string;
  /** Node: the cache folder. Default `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Use the cache only, never the network. Default `HF_HUB_OFFLINE`. */
  offline?: boolean;
  /** Called as bytes of each file arrive. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** `HubOptions` with every default filled in. */
export interface HubSettings {
  revision: string;
  token: string | undefined;
  endpoint: string;
  cacheDir: string;
  offline: boolean;
  onProgress: ((progress: DownloadProgress) => void) | undefined;
}

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** The process environment in Node; empty in a browser. */
function environment(): Record<string, string | undefined> {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } })
    .process;
  return process?.env ?? {};
}

/** huggingface_hub's `_is_true`: 1, ON, YES or TRUE in any case. */
function isTrue(value: string | undefined): boolean {
  return ['1', 'ON', 'YES', 'TRUE'].includes((value ?? '').toUpperCase());
}

export function hubSettings(options: HubOptions = {}): HubSettings {
  const env = environment();
  return {
    revision: options.revision ?? 'main',
    token: options.token ?? (env.HF_TOKEN || undefined),
    endpoint: (options.endpoint ?? env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, ''),
    cacheDir: options.cacheDir ?? hubCacheDir(env),
    offline: options.offline ?? isTrue(env.HF_HUB_OFFLINE),
    onProgress: options.onProgress,
  };
}

/** Where huggingface_hub keeps its cache, by the same rule (empty in a browser, which uses the Cache API). */
export function hubCacheDir(env = environment()): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HOME ?? env.USERPROFILE;
  const hfHome =
    env.HF_HOME ?? (env.XDG_CACHE_HOME ? `${env.XDG_CACHE_HOME}/huggingface` : undefined);
  if (hfHome) return `${hfHome}/hub`;
  return home ? `${home}/.cache/huggingface/hub` : '';
}

/** True in Node (and Deno/Bun's Node layer): files and the Python-compatible cache are available. */
export function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === 'string';
}

/** Separates the `HubOptions` of a `fromPretrained` call from the loader's own options. */
export function splitHubOptions<T extends HubOptions>(
  options: T,
): [HubOptions, Omit<T, keyof HubOptions>] {
  const { revision, token, endpoint, cacheDir, offline, onProgress, ...rest } = options;
  return [{ revision, token, endpoint, cacheDir, offline, onProgress }, rest];
}
