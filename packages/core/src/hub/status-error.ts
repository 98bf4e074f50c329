import { HubError } from './errors.js';

/** What a failed request was for, to name it in the error. */
export interface RequestSubject {
  file: string;
  /** `owner/name` for a Hub repository, the base URL otherwise. */
  where: string;
  /** Set for Hub repositories. */
  revision?: string;
  url: string;
}

/**
 * The error for a non-2xx answer. The Hub answers 401 for a gated or private repository (and for
 * one that does not exist, to hide which), with `X-Error-Code` telling 404s apart.
 */
export function statusError(response: Response, subject: RequestSubject): HubError {
  const { file, where, revision, url } = subject;
  const at = revision ? ` at revision '${revision}'` : '';
  const code = response.headers.get('x-error-code');
  const status = response.status;
  if (status === 401 || status === 403) {
    const why = code === 'GatedRepo' ? 'is gated' : 'is gated or private (or does not exist)';
    return new HubError(
      'unauthorized',
      `${where}: ${status} ${response.statusText || 'Unauthorized'} for ${file}${at}: the repository ${why}. ` +
        'Set HF_TOKEN (or pass { token }) to a token whose account has access; for a gated model, accept its terms on the Hub first',
      status,
    );
  }
  if (status === 404) {
    const what =
      code === 'RevisionNotFound'
        ? `revision '${revision}' does not exist`
        : code === 'RepoNotFound'
          ? 'the repository does not exist'
          : `${file} not found${at}`;
    return new HubError('not-found', `${where}: ${what} (${url})`, status);
  }
  return new HubError(
    'http',
    `${where}: ${status} ${response.statusText} while fetching ${file}${at} (${url})`,
    status,
  );
}

/**
 * True for an HTML page served in place of a checkpoint file: single-page-app hosts (Vite's dev
 * server and `preview`, many static hosts) answer 200 with `index.html` for any missing path. It
 * is how they say 404, and must not be parsed, or cached, as the file.
 */
export function isHtmlFallback(response: Response, file: string): boolean {
  return (
    !/\.html?$/i.test(file) && (response.headers.get('content-type') ?? '').startsWith('text/html')
  );
}
