/** Where the bar is written: `process.stderr` or anything with `write` (tests, log files). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** Steps (batches) in the run or epoch. */
  total: number;
  /** Shown first, e.g. `train-0`. */
  label?: string;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Redraw one line in place (default: whether the stream is a terminal). */
  tty?: boolean;
  /** Width of the bar in characters (default 24). */
  width?: number;
  /** On a terminal, redraw at most this often (default 100 ms). */
  redrawEveryMs?: number;
  /** Elsewhere, print a line at most this often (default 10 s); the first and last always print. */
  logEveryMs?: number;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

export interface ProgressUpdate {
  /** Steps done since the last update (default 1). */
  steps?: number;
  /** Loss of these steps (the bar shows the running mean). */
  loss?: number;
  /** Tokens processed in these steps (for tokens/s). */
  tokens?: number;
}

/**
 * A dependency-free progress bar: steps, running mean loss, tokens/s and ETA. On a terminal it
 * redraws one line in place; in logs (CI, files) it prints a plain line now and then instead.
 */
export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly width: number;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly start: number;
  private done = 0;
  private tokens = 0;
  private lossSum = 0;
  private lossCount = 0;
  private lastWrite: number | null = null;
  /** `done` when the bar was last drawn. */
  private drawnAt = -1;

  constructor(options: ProgressBarOptions) {
    const { total, label = '', width = 24 } = options;
    if (!Number.isInteger(total) || total < 0) {
      throw new Error(`progress total must be a non-negative integer, got ${total}`);
    }
    this.total = total;
    this.label = label;
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.width = width;
    this.interval = this.tty ? (options.redrawEveryMs ?? 100) : (options.logEveryMs ?? 10_000);
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
  }

  update({ steps = 1, loss, tokens = 0 }: ProgressUpdate = {}): void {
    this.done += steps;
    this.tokens += tokens;
    if (loss !== undefined) {
      this.lossSum += loss * steps;
      this.lossCount += steps;
    }
    const t = this.now();
    if (this.lastWrite === null || t - this.lastWrite >= this.interval || this.done >= this.total) {
      this.draw(t);
    }
  }

  /** Shows the final state (unless that line is already out) and ends a redrawn line. */
  finish(): void {
    if (this.tty) {
      this.draw(this.now());
      this.stream.write('\n');
    } else if (this.drawnAt !== this.done) this.draw(this.now());
  }

  /** The status text at time `t` (ms on the bar's clock). */
  line(t = this.now()): string {
    const elapsed = (t - this.start) / 1000;
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(fraction * this.width);
    const parts = [
      this.label,
      `${String(Math.floor(fraction * 100)).padStart(3)}%`,
      `|${'█'.repeat(filled)}${' '.repeat(this.width - filled)}|`,
      `${this.done}/${this.total}`,
    ];
    if (this.lossCount > 0) parts.push(`loss ${(this.lossSum / this.lossCount).toFixed(4)}`);
    if (this.tokens > 0 && elapsed > 0) parts.push(`${compact(this.tokens / elapsed)} tok/s`);
    if (this.done >= this.total) parts.push(`in ${duration(elapsed)}`);
    else if (this.done > 0) {
      parts.push(`ETA ${duration((elapsed * (this.total - this.done)) / this.done)}`);
    }
    return parts.filter(Boolean).join(' ');
  }

  private draw(t: number): void {
    this.lastWrite = t;
    this.drawnAt = this.done;
    const text = this.line(t);
    this.stream.write(this.tty ? `\r${this.fit(text)}\x1b[K` : `${text}\n`);
  }

  /** Keeps a redrawn line within the terminal, or it wraps and stops redrawing in place. */
  private fit(text: string): string {
    const columns = this.stream.columns;
    return columns && text.length >= columns ? text.slice(0, columns - 1) : text;
  }
}

/** 1234 → "1.2k", 2_500_000 → "2.5M". */
function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n >= 10 ? 0 : 1);
}

/** Seconds as `m:ss` or `h:mm:ss`. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
