import type { DownloadProgress } from '@lgpt/core';

const WIDTH = 30;
const MB = 1024 * 1024;

/**
 * A download progress bar on stderr for `onProgress`: redrawn in place on a terminal (at most
 * ten times a second), one line per finished file otherwise (logs stay readable).
 */
export function progressBar(
  stream: NodeJS.WriteStream = process.stderr,
): (progress: DownloadProgress) => void {
  let lastDraw = 0;
  return ({ file, loaded, total }) => {
    const done = total !== undefined && loaded >= total;
    const now = Date.now();
    if (!stream.isTTY) {
      if (done) stream.write(`downloaded ${file} (${megabytes(loaded)})\n`);
      return;
    }
    if (!done && now - lastDraw < 100) return;
    lastDraw = now;
    const fraction = total ? Math.min(loaded / total, 1) : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar = total
      ? `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`
      : '';
    const size = total ? `${megabytes(loaded)} / ${megabytes(total)}` : megabytes(loaded);
    stream.write(`\r\x1b[K${file} ${bar} ${size}${done ? '\n' : ''}`);
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}
