/**
 * fast-check's `interruptAfterTimeLimit` races an async property against the clock and moves on
 * when time is up, leaving the interrupted run going in the background: its requests then land in
 * the middle of the next test (found in CI: an abandoned case re-made a deleted repository while a
 * regression case was being judged). Calls made through this wait for the one before to settle.
 */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.last.then(work, work);
    this.last = next.catch(() => undefined);
    return next;
  }

  /** Settles once every call made so far has. */
  async idle(): Promise<void> {
    await this.last;
  }
}
