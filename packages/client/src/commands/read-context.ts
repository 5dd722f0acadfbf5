import type { RepoReads } from '../repo-reads.js';

/** What every read command is given by the CLI. */
export interface ReadContext {
  reads: RepoReads;
  /** The repository as the user named it, for messages. */
  where: string;
  /** One JSON object per line instead of columns and a summary. */
  json: boolean;
  /** At most this many entries are printed (null: all). */
  limit: number | null;
  out: (line: string) => void;
}

/** Counts printed lines against `--limit`, and says what was left out. */
export class Shown {
  private count = 0;

  constructor(private readonly limit: number | null) {}

  /** Whether one more line may be printed (and counts it). */
  take(): boolean {
    if (this.limit !== null && this.count >= this.limit) return false;
    this.count++;
    return true;
  }

  get full(): boolean {
    return this.limit !== null && this.count >= this.limit;
  }

  /** The line that says how many were not printed, if any. */
  note(total: number, what: string): string | null {
    return total > this.count ? `… ${total - this.count} more ${what} not shown (--limit ${this.limit})` : null;
  }
}
