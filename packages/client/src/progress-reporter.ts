import type { PushProgress } from './push.js';

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.round(seconds)}s`;
}

/**
 * Shows a push's progress: on a terminal, bars for files and bytes with rate and ETA and the
 * server's stages, redrawn in place; otherwise one plain line every few seconds.
 */
export class ProgressReporter {
  private last: PushProgress | null = null;
  private readonly started = performance.now();
  private drawnLines = 0;
  private lastPlain = 0;
  private lastDraw = 0;
  private lastPhase = '';

  constructor(private readonly out: NodeJS.WriteStream, private readonly plainEveryMs = 5000) {}

  update(progress: PushProgress): void {
    this.last = progress;
    const now = performance.now();
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

  private lines(p: PushProgress): string[] {
    const seconds = Math.max((performance.now() - this.started) / 1000, 0.001);
    const toSend = p.bytesToSend;
    const rate = p.bytesSent / seconds;
    const files = p.filesSent + p.skipped + p.byHash;
    return [
      `${p.phase.padEnd(10)} files ${bar(files, p.filesTotal)} ${files}/${p.filesTotal}  ${(p.filesSent / seconds).toFixed(0)} files/s`,
      `           bytes ${bar(p.bytesSent, toSend)} ${mib(p.bytesSent)}/${mib(toSend)} MiB  ${mib(rate)} MiB/s  ETA ${eta((toSend - p.bytesSent) / rate)}`,
      `           server: spooled ${p.spooled}  hashed ${p.hashed}  staged ${p.staged}  ·  skipped ${p.skipped}  by hash ${p.byHash}  failed ${p.failed}`,
    ];
  }

  private draw(): void {
    const lines = this.lines(this.last!);
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}F`);
    for (const line of lines) this.out.write(`\x1b[2K${line}\n`);
    this.drawnLines = lines.length;
  }

  private plain(): void {
    const p = this.last!;
    this.lastPlain = performance.now();
    const seconds = Math.max((this.lastPlain - this.started) / 1000, 0.001);
    this.out.write(`push: ${p.phase}, ${p.filesSent + p.skipped + p.byHash}/${p.filesTotal} files, ${mib(p.bytesSent)}/${mib(p.bytesToSend)} MiB sent (${mib(p.bytesSent / seconds)} MiB/s), server staged ${p.staged}, skipped ${p.skipped}, failed ${p.failed}\n`);
  }
}
