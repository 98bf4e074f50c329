import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One repository the mock Hub serves. */
export interface MockRepo {
  /** File name → contents. `*.safetensors` files are LFS files: redirected to the CDN server. */
  files: Record<string, Uint8Array | string>;
  /** The commit every revision of the repository resolves to. Default: derived from the files. */
  commit?: string;
  /** Answer 401 (`X-Error-Code: GatedRepo`) unless the request carries `Bearer <token>`. */
  gated?: boolean;
  /** Redirect every file to itself and back (a redirect loop). */
  redirectLoop?: boolean;
  /** LFS files the CDN cuts off halfway (the connection drops). */
  dropConnection?: string[];
  /** LFS files the CDN serves with one byte changed (their SHA-256 no longer matches the ETag). */
  corrupt?: string[];
}

export interface MockHubOptions {
  repos: Record<string, MockRepo>;
  /** The token gated repositories accept. */
  token?: string;
  /** Honour `Range` on the CDN and static servers. Default true. */
  ranges?: boolean;
  /** The static server answers a missing file with 200 and an HTML page, as single-page-app hosts do. */
  htmlFallback?: boolean;
}

/** A request either server saw, for asserting where the token went and which ranges were read. */
export interface SeenRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  authorization: string | undefined;
  range: string | undefined;
}

export interface MockHub {
  /** The Hub's address (`HF_ENDPOINT`). */
  endpoint: string;
  /** A plain file server (another port: another host): `<staticBase>/<owner>/<name>/<file>`. */
  staticBase: string;
  requests: SeenRequest[];
  /** The commit `repoId` resolves to. */
  commitOf(repoId: string): string;
  /** The ETag the Hub gives `file` (SHA-256 for LFS files, git blob SHA-1 otherwise). */
  etagOf(repoId: string, file: string): string;
  close(): Promise<void>;
}

const isLfs = (file: string) => file.endsWith('.safetensors');

/**
 * Two loopback HTTP servers that behave as the Hugging Face Hub does for downloads: the Hub
 * answers `/<owner>/<name>/resolve/<revision>/<file>` with `X-Repo-Commit` and `ETag` (small files
 * inline, LFS files by a 302 to the CDN with `X-Linked-Etag`/`X-Linked-Size`), 401 for a gated
 * repository without the token (and for an unknown one, as the Hub does), 404 with
 * `X-Error-Code: EntryNotFound` / `RevisionNotFound`; the CDN serves blobs with range requests.
 * The CDN also serves every repository as plain files, for loading by URL.
 */
export async function startMockHub(options: MockHubOptions): Promise<MockHub> {
  const requests: SeenRequest[] = [];
  const ranges = options.ranges ?? true;
  const bytesOf = (v: Uint8Array | string) =>
    typeof v === 'string' ? new TextEncoder().encode(v) : v;
  const repoFiles = new Map(
    Object.entries(options.repos).map(([id, repo]) => [
      id,
      new Map(Object.entries(repo.files).map(([f, v]) => [f, bytesOf(v)])),
    ]),
  );
  const etag = (file: string, bytes: Uint8Array) =>
    isLfs(file)
      ? createHash('sha256').update(bytes).digest('hex')
      : createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
  const commitOf = (repoId: string) =>
    options.repos[repoId]?.commit ??
    createHash('sha1')
      .update(`commit ${repoId} ${Object.keys(options.repos[repoId]?.files ?? {})}`)
      .digest('hex');
  const blobs = new Map<string, { bytes: Uint8Array; drop: boolean }>();
  for (const [id, files] of repoFiles) {
    for (const [file, bytes] of files) {
      const served = options.repos[id].corrupt?.includes(file) ? bytes.slice() : bytes;
      if (served !== bytes) served[served.byteLength - 1] ^= 0xff;
      blobs.set(`${id}/${etag(file, bytes)}`, {
        bytes: served,
        drop: options.repos[id].dropConnection?.includes(file) ?? false,
      });
    }
  }

  const record = (server: SeenRequest['server'], req: IncomingMessage) =>
    requests.push({
      server,
      method: req.method ?? 'GET',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      range: req.headers.range,
    });

  let cdnOrigin = '';
  const hub = createServer((req, res) => {
    record('hub', req);
    const url = new URL(req.url ?? '/', 'http://hub');
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!match) return end(res, 404, {}, 'not a resolve URL');
    const [, repoId, revision, encodedFile] = match;
    const file = decodeURIComponent(encodedFile);
    const repo = options.repos[repoId];
    if (!repo) return end(res, 401, { 'x-error-code': 'RepoNotFound' }, 'Repository not found');
    if (repo.gated && req.headers.authorization !== `Bearer ${options.token}`) {
      return end(res, 401, { 'x-error-code': 'GatedRepo' }, 'Access to this model is restricted');
    }
    const commit = commitOf(repoId);
    if (decodeURIComponent(revision) !== 'main' && decodeURIComponent(revision) !== commit) {
      return end(res, 404, { 'x-error-code': 'RevisionNotFound' }, 'Revision not found');
    }
    if (repo.redirectLoop) {
      const back = url.searchParams.has('again') ? url.pathname : `${url.pathname}?again=1`;
      return end(res, 302, { location: back }, '');
    }
    const bytes = repoFiles.get(repoId)?.get(file);
    if (!bytes) {
      return end(
        res,
        404,
        { 'x-error-code': 'EntryNotFound', 'x-repo-commit': commit },
        'Entry not found',
      );
    }
    const tag = etag(file, bytes);
    if (isLfs(file)) {
      return end(
        res,
        302,
        {
          location: `${cdnOrigin}/blobs/${repoId}/${tag}`,
          'x-repo-commit': commit,
          'x-linked-etag': `"${tag}"`,
          'x-linked-size': String(bytes.byteLength),
          etag: `"${tag}"`,
        },
        '',
      );
    }
    serveBytes(req, res, bytes, { etag: `"${tag}"`, 'x-repo-commit': commit }, true, false);
  });
  const cdn = createServer((req, res) => {
    record('cdn', req);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://cdn').pathname);
    const blob = /^\/blobs\/([^/]+\/[^/]+)\/([0-9a-f]+)$/.exec(path);
    if (blob) {
      const found = blobs.get(`${blob[1]}/${blob[2]}`);
      if (!found) return end(res, 404, {}, 'no such blob');
      return serveBytes(req, res, found.bytes, { etag: `"${blob[2]}"` }, ranges, found.drop);
    }
    const file = /^\/static\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    const bytes = file && repoFiles.get(file[1])?.get(file[2]);
    if (!bytes && options.htmlFallback) {
      return end(res, 200, { 'content-type': 'text/html' }, '<!doctype html><title>app</title>');
    }
    if (!bytes) return end(res, 404, {}, 'not found');
    serveBytes(req, res, bytes, { etag: `"${etag(file[2], bytes)}"` }, ranges, false);
  });
  const listen = (server: Server) =>
    new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      ),
    );
  const endpoint = await listen(hub);
  cdnOrigin = await listen(cdn);
  const stop = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    endpoint,
    staticBase: `${cdnOrigin}/static`,
    requests,
    commitOf,
    etagOf: (repoId, file) => etag(file, repoFiles.get(repoId)?.get(file) ?? new Uint8Array()),
    close: async () => {
      await Promise.all([stop(hub), stop(cdn)]);
    },
  };
}

function end(res: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** 200 with the whole file, or 206 for a `bytes=a-b` range; `drop` cuts the body off halfway. */
function serveBytes(
  req: IncomingMessage,
  res: ServerResponse,
  bytes: Uint8Array,
  headers: Record<string, string>,
  ranges: boolean,
  drop: boolean,
) {
  const range = ranges ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '') : null;
  let body = bytes;
  let status = 200;
  const extra: Record<string, string> = ranges ? { 'accept-ranges': 'bytes' } : {};
  if (range) {
    const start = Number(range[1]);
    const last =
      range[2] === '' ? bytes.byteLength - 1 : Math.min(Number(range[2]), bytes.byteLength - 1);
    if (start >= bytes.byteLength) {
      return end(res, 416, { 'content-range': `bytes */${bytes.byteLength}` }, '');
    }
    body = bytes.subarray(start, last + 1);
    status = 206;
    extra['content-range'] = `bytes ${start}-${last}/${bytes.byteLength}`;
  }
  res.writeHead(status, { ...headers, ...extra, 'content-length': String(body.byteLength) });
  if (req.method === 'HEAD') return res.end();
  if (drop) {
    res.write(body.subarray(0, body.byteLength >> 1), () => res.destroy());
    return;
  }
  res.end(body);
}
