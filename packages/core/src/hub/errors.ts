/** Why a Hub or URL download failed; `code` lets callers react without parsing the message. */
export type HubErrorCode =
  | 'unauthorized'
  | 'not-found'
  | 'redirect-loop'
  | 'truncated'
  | 'offline-miss'
  | 'network'
  | 'http';

/** A download that failed, with a message naming the file, the revision and what to do. */
export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubError';
  }
}
