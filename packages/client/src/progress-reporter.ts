import type { PushProgress } from './push.js';

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

const rateWindowMs = 10_000;

/** Files accounted for: sent, already there, or staged by hash. */
const done = (p: PushProgress) => p.filesSent + p.skipped + p.byHash;

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  return seconds >= 60
    ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.round(seconds)}s`;
}

/**
 * Shows a push's progress: on a terminal, bars for files and bytes with rate and ETA and the
 * server's stages, redrawn in place; otherwise one plain line every few seconds.
 */
export class ProgressReporter {
  private last: PushProgress | null = null;
  /** Recent (time, bytes sent, files done): rates over the last seconds, not since the start. */
  private samples: Array<{ at: number; bytes: number; files: number }> = [];
  private readonly started = performance.now();
  private drawnLines = 0;
  private lastPlain = 0;
  private lastDraw = 0;
  private lastPhase = '';

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly plainEveryMs = 5000,
  ) {}

  update(progress: PushProgress): void {
    this.last = progress;
    const now = performance.now();
    this.samples.push({ at: now, bytes: progress.bytesSent, files: done(progress) });
    while (this.samples.length > 2 && this.samples[0]!.at < now - rateWindowMs) this.samples.shift();
    if (progress.notice) {
      // what the push waits for is news: shown now, whatever the redraw interval
      if (this.out.isTTY) this.draw(progress.notice);
      else this.out.write(`push: ${progress.notice}\n`);
      return;
    }
    // Redrawing on every event would cost more than the push itself on a fast link.
    const phaseChanged = progress.phase !== this.lastPhase;
    this.lastPhase = progress.phase;
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && !phaseChanged) return;
      this.lastDraw = now;
      this.draw();
    } else if (now - this.lastPlain >= this.plainEveryMs || progress.phase === 'done') {
      this.plain();
    }
  }

  /** Bytes and files per second over the last few seconds. */
  private rates(): { bytes: number; files: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 500) return { bytes: 0, files: 0 };
    const seconds = (last.at - first.at) / 1000;
    return { bytes: (last.bytes - first.bytes) / seconds, files: (last.files - first.files) / seconds };
  }

  private lines(p: PushProgress): string[] {
    const toSend = p.bytesToSend;
    const files = done(p);
    const rate = this.rates();
    // whichever takes longer: the bytes left at the byte rate, or the files left at the file rate
    // (small files first make the byte rate alone promise far too much, and the reverse)
    const left = Math.max(
      rate.bytes > 0 ? (toSend - p.bytesSent) / rate.bytes : Infinity,
      rate.files > 0 ? (p.filesTotal - files) / rate.files : Infinity,
    );
    return [
      `${p.phase.padEnd(10)} files ${bar(files, p.filesTotal)} ${files}/${p.filesTotal}  ` +
        `${rate.files.toFixed(0)} files/s`,
      `           bytes ${bar(p.bytesSent, toSend)} ${mib(p.bytesSent)}/${mib(toSend)} ` +
        `MiB  ${mib(rate.bytes)} MiB/s  ETA ${eta(left)}`,
      `           server: spooled ${p.spooled}  hashed ${p.hashed}  staged ${p.staged}  ·  skipped ` +
        `${p.skipped}  by hash ${p.byHash}  failed ${p.failed}`,
    ];
  }

  private draw(notice?: string): void {
    const lines = this.lines(this.last!);
    // a fourth line, empty or the notice: the drawing keeps its height, so nothing stale stays below
    lines.push(notice ? `           ${notice}` : '');
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}F`);
    for (const line of lines) this.out.write(`\x1b[2K${line}\n`);
    this.drawnLines = lines.length;
  }

  private plain(): void {
    const p = this.last!;
    this.lastPlain = performance.now();
    const seconds = Math.max((this.lastPlain - this.started) / 1000, 0.001);
    this.out.write(
      `push: ${p.phase}, ${p.filesSent + p.skipped + p.byHash}/${p.filesTotal} files, ` +
        `${mib(p.bytesSent)}/${mib(p.bytesToSend)} MiB sent (${mib(p.bytesSent / seconds)} MiB/s), server staged ` +
        `${p.staged}, skipped ${p.skipped}, failed ${p.failed}\n`,
    );
  }
}
