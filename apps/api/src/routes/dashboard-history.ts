import type { IngestTotalsSnapshot } from '@sluice/ingest';

export interface RateSample {
  /** Server time of the reading that ends the interval, ms since the epoch. */
  time: number;
  files_per_second: number;
  bytes_per_second: number;
}

/** Readings of the totals: one every two seconds, five minutes of them. */
const everyMs = 2_000;
const kept = 150;

/**
 * The recent ingest rates the page draws, kept by the server so a page opened in the middle of a
 * push sees the minutes before it: the API node reads the shared totals (one Redis read) at a
 * steady interval and keeps the rates between readings. Every API node reads the same totals,
 * so any node draws the same curve. A reading that fails (Redis away) leaves a gap, not a zero.
 */
export class DashboardHistory {
  private readonly samples: RateSample[] = [];
  private last: { time: number; totals: IngestTotalsSnapshot } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly read: () => Promise<IngestTotalsSnapshot>) {}

  start(): void {
    if (this.timer !== null) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Oldest first. */
  rates(): RateSample[] {
    return [...this.samples];
  }

  private async sample(): Promise<void> {
    let totals: IngestTotalsSnapshot;
    try {
      totals = await this.read();
    } catch {
      this.last = null;
      return;
    }
    const time = Date.now();
    const last = this.last;
    this.last = { time, totals };
    if (last === null) return;
    const seconds = Math.max((time - last.time) / 1000, 0.001);
    this.samples.push({
      time,
      files_per_second: Math.max(0, totals.files - last.totals.files) / seconds,
      bytes_per_second: Math.max(0, totals.bytes - last.totals.bytes) / seconds,
    });
    while (this.samples.length > kept) this.samples.shift();
  }
}
