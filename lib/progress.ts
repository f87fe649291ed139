/**
 * Progress display for long work: a bar with rate and ETA redrawn on stderr
 * at most every 200 ms, only when stderr is a terminal; silent otherwise so
 * logs and pipes stay clean.
 */

export interface ProgressOptions {
  /** Unit name printed after the rate, e.g. "MB" or "ratings". */
  unit?: string;
  /** Divide counts by this before printing (1e6 for MB). */
  scale?: number;
  /** Force on/off; defaults to whether stderr is a terminal. */
  enabled?: boolean;
}

const encoder = new TextEncoder();

export class Progress {
  readonly label: string;
  total: number;
  #unit: string;
  #scale: number;
  #enabled: boolean;
  #start = performance.now();
  #last = 0;
  #done = 0;

  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.label = label;
    this.total = total;
    this.#unit = options.unit ?? "";
    this.#scale = options.scale ?? 1;
    this.#enabled = options.enabled ?? Deno.stderr.isTerminal();
  }

  /** Sets the amount done so far; redraws when due. */
  update(done: number): void {
    this.#done = done;
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#last < 200) return;
    this.#last = now;
    this.#draw(now);
  }

  /** Adds to the amount done. */
  add(n: number): void {
    this.update(this.#done + n);
  }

  /** Clears the line. */
  finish(): void {
    if (this.#enabled) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
  }

  #draw(now: number): void {
    const secs = (now - this.#start) / 1000;
    const frac = this.total > 0 ? Math.min(1, this.#done / this.total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const rate = secs > 0 ? this.#done / this.#scale / secs : 0;
    const eta = frac > 0 && frac < 1 ? formatSeconds(secs * (1 - frac) / frac) : "--";
    const line = `${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
      `${(frac * 100).toFixed(1)}% ${formatRate(rate)} ${this.#unit}/s ETA ${eta}`;
    Deno.stderr.writeSync(encoder.encode("\r\x1b[2K" + line));
  }
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return (rate / 1e6).toFixed(1) + "M";
  if (rate >= 1e3) return (rate / 1e3).toFixed(1) + "k";
  return rate.toFixed(1);
}

/** 75 → "1m15s". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s - m * 60).toString().padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, "0")}m`;
}
