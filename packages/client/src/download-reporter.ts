import type { DownloadProgress } from './download-types.js';

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

/**
 * Shows a download's progress as push shows its own: on a terminal one line redrawn in place
 * (files, bytes of the total, rate), otherwise a plain line every few seconds; a notice (a cut
 * transfer being resumed) is shown at once.
 */
export class DownloadReporter {
  private readonly started = performance.now();
  private last = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly plainEveryMs = 5000,
  ) {}

  update(p: DownloadProgress): void {
    const now = performance.now();
    if (p.notice) {
      this.out.write(`${this.out.isTTY ? '\r\x1b[2K' : ''}download: ${p.notice}\n`);
      return;
    }
    const every = this.out.isTTY ? 100 : this.plainEveryMs;
    if (now - this.last < every && p.phase !== 'done') return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const files = p.filesToFetch === null ? `${p.fetched} files` : `${p.fetched}/${p.filesToFetch} files`;
    const line =
      `download: ${p.phase}, ${files} fetched, ${p.skipped} already here, ${p.failed} failed, ` +
      `${mib(p.bytesFetched)}/${mib(p.bytesTotal)} MiB (${mib(p.bytesFetched / seconds)} MiB/s)`;
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${line}${p.phase === 'done' ? '\n' : ''}`);
    else this.out.write(`${line}\n`);
  }
}
