import { HubError } from './errors.js';
import { isNode } from './settings.js';

/** Redirects followed before giving up (requests' default is 30; a sane chain is one or two). */
const MAX_REDIRECTS = 10;

export interface RequestAuth {
  /** Sent as `Authorization: Bearer …`, and only to `endpoint`'s own origin. */
  token: string | undefined;
  endpoint: string;
}

export interface FollowOptions {
  /**
   * Stop at the first redirect to another host and return it (a metadata request: the Hub's
   * redirect carries the file's commit, ETag and size). Default false: follow it.
   */
  stopAtOtherHost?: boolean;
}

/**
 * `fetch` that follows redirects itself so that the token goes to the endpoint's host only (the
 * Hub redirects large files to a CDN host that must not see it), loops are reported, and a
 * connection failure becomes a `HubError` naming the URL. Browsers do not expose redirects
 * (`redirect: 'manual'` answers an opaque response); there `fetch` follows them and drops the
 * `Authorization` header on a cross-origin redirect itself, as the Fetch standard requires.
 */
export async function fetchWithAuth(
  url: string,
  init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> },
  auth: RequestAuth,
  options: FollowOptions = {},
): Promise<Response> {
  const visited: string[] = [];
  let current = url;
  for (;;) {
    const headers = { ...init.headers, ...authHeader(current, auth) };
    const response = await send(current, { method: init.method ?? 'GET', headers });
    const location = response.headers.get('location');
    if (!isRedirect(response.status) || location === null) return response;
    const next = new URL(location, current).href;
    if (options.stopAtOtherHost && new URL(next).host !== new URL(current).host) return response;
    await response.body?.cancel();
    visited.push(current);
    if (visited.includes(next) || visited.length > MAX_REDIRECTS) {
      throw new HubError(
        'redirect-loop',
        `redirect loop while fetching ${url}: ${[...visited, next].join(' → ')}`,
      );
    }
    current = next;
  }
}

function authHeader(url: string, auth: RequestAuth): Record<string, string> {
  if (!auth.token) return {};
  return new URL(url).origin === new URL(auth.endpoint).origin
    ? { authorization: `Bearer ${auth.token}` }
    : {};
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * Connection failures that a second attempt usually cures: a server closes an idle keep-alive
 * connection (Node's default after 5 s) just as the next request reuses it — which happens while
 * a loader builds a model between reading the header and the first tensor.
 */
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

async function send(
  url: string,
  init: { method: string; headers: Record<string, string> },
): Promise<Response> {
  const request = () => fetch(url, { ...init, redirect: isNode() ? 'manual' : 'follow' });
  try {
    return await request().catch((error: { cause?: { code?: string } }) => {
      // GET and HEAD are idempotent: one retry on a connection the server had just closed.
      if (STALE_CONNECTION.has(error.cause?.code ?? '')) return request();
      throw error;
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new HubError(
      'network',
      `cannot reach ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
    );
  }
}

/** Reads a response's body chunk by chunk, reporting progress; throws `truncated` on a dropped connection. */
export async function* bodyChunks(
  response: Response,
  label: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new HubError(
          'truncated',
          `${label}: the connection dropped during the download (${(error as Error).message})`,
        );
      }
      if (chunk.done) return;
      yield chunk.value;
    }
  } finally {
    reader.releaseLock();
  }
}
