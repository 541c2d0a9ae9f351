/** Where a {@link ProgressBar} draws; `process.stderr` by default. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A one-line progress bar per epoch (images/s, loss, ETA), redrawn at most
 * every `intervalMs`. Draws nothing unless enabled, so logs stay clean when
 * stderr is not a TTY.
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly enabled: boolean;
  private readonly intervalMs: number;
  private lastDraw = 0;
  private label = "";
  private total: number | undefined;
  private startedAt = 0;
  private last: [number, number, number] = [0, 0, Number.NaN];

  constructor(options: { enabled?: boolean; stream?: ProgressStream; intervalMs?: number } = {}) {
    // Browsers have no process: the bar is then off unless a stream is given.
    this.stream =
      options.stream ??
      (typeof process === "undefined" ? { write: () => undefined } : process.stderr);
    this.enabled = options.enabled ?? Boolean(this.stream.isTTY);
    this.intervalMs = options.intervalMs ?? 100;
  }

  /** Starts a bar; `total` is the number of steps if known. */
  start(label: string, total: number | undefined, doneSteps: number): void {
    this.label = label;
    this.total = total;
    this.startedAt = Date.now();
    this.lastDraw = 0;
    this.last = [doneSteps, 0, Number.NaN];
    this.draw(doneSteps, 0, Number.NaN, true);
  }

  /** Updates the bar after a step. */
  update(doneSteps: number, imagesThisRun: number, loss: number): void {
    this.last = [doneSteps, imagesThisRun, loss];
    this.draw(doneSteps, imagesThisRun, loss, false);
  }

  /** Draws the final state and finishes the line. */
  stop(message = ""): void {
    if (!this.enabled) return;
    this.draw(...this.last, true);
    this.stream.write(`${message ? ` ${message}` : ""}\n`);
  }

  private draw(done: number, images: number, loss: number, force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.startedAt) / 1000, 1e-9);
    const rate = images / seconds;
    const stepsPerSecond = done > 0 ? done / seconds : 0;
    const width = 24;
    let bar = "";
    let eta = "?";
    if (this.total !== undefined && this.total > 0) {
      const frac = Math.min(done / this.total, 1);
      const filled = Math.round(frac * width);
      bar = ` [${"=".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${this.total}`;
      if (stepsPerSecond > 0) eta = formatSeconds((this.total - done) / stepsPerSecond);
    } else {
      bar = ` ${done} steps`;
    }
    const lossText = Number.isFinite(loss) ? loss.toFixed(4) : "-";
    const line = `${this.label}${bar} ${rate.toFixed(1)} img/s loss ${lossText} ETA ${eta}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\u001b[K`);
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (h > 0) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}
