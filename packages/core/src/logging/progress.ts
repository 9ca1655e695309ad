/** What a progress display needs after each step. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  /** Steps done in this epoch. */
  done: number;
  total: number;
  /** Seconds since the epoch started. */
  elapsed: number;
  images: number;
  /** Running mean of each loss over the epoch. */
  losses: Record<string, number>;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function stats(p: ProgressState): string {
  const rate = p.elapsed > 0 ? p.images / p.elapsed : 0;
  const eta = p.done > 0 ? (p.elapsed / p.done) * (p.total - p.done) : NaN;
  const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ');
  return `${formatDuration(p.elapsed)}<${formatDuration(eta)} ${rate.toFixed(1)} img/s${losses ? ' ' + losses : ''}`;
}

/** `epoch 2/10 [#####.....] 12/24 0:03<0:03 85.1 img/s loss 0.6931` (fits `columns`). */
export function formatProgressBar(p: ProgressState, columns = 100): string {
  const head = `epoch ${p.epoch}/${p.epochs} `;
  const tail = ` ${p.done}/${p.total} ${stats(p)}`;
  const width = Math.max(10, Math.min(30, columns - head.length - tail.length - 2));
  const filled = p.total > 0 ? Math.round((width * p.done) / p.total) : 0;
  const line = `${head}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`;
  return line.length > columns ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/** Plain line for logs and pipes: `epoch 2/10 step 12/24 0:03<0:03 85.1 img/s loss 0.6931`. */
export function formatProgressLine(p: ProgressState): string {
  return `epoch ${p.epoch}/${p.epochs} step ${p.done}/${p.total} ${stats(p)}`;
}

/** Minimal terminal stream (process.stderr or a test double). */
export interface TerminalStream {
  write(text: string): unknown;
  columns?: number;
}

/**
 * A progress bar redrawn in place on a terminal (at most every `minIntervalMs`). Log lines go
 * through `printAbove`, which clears the bar, prints the line and redraws it.
 */
export class TerminalProgress {
  private current: ProgressState | undefined;
  private lastDraw = 0;
  private shown = false;

  constructor(
    private readonly stream: TerminalStream,
    private readonly minIntervalMs = 100,
  ) {}

  update(p: ProgressState): void {
    this.current = p;
    const now = Date.now();
    if (p.done < p.total && now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    this.draw();
  }

  /** Ends the epoch's bar with a newline (it stays visible). */
  finish(): void {
    if (this.current) this.draw();
    if (this.shown) this.stream.write('\n');
    this.shown = false;
    this.current = undefined;
  }

  printAbove(text: string): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.stream.write(text);
    this.shown = false;
    if (this.current) this.draw();
  }

  private draw(): void {
    this.stream.write(`\r\x1b[2K${formatProgressBar(this.current!, this.stream.columns || 100)}`);
    this.shown = true;
  }
}
