/** Bytes of one file received so far; `total` is undefined when the server did not say. */
export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number | undefined;
}
