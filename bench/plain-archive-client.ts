import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';

/**
 * The ceiling of the `sluice download` row: the archive route read by the plainest client that
 * still writes every file (GET, a tar parser that keeps one entry at a time, mkdir and writeFile),
 * with none of the CLI's work (hash checks, temp-then-rename, resume bookkeeping, progress).
 * Returns the files written. Throws on a non-200 answer, a cut stream or a damaged header.
 */
export function plainArchiveDownload(url: string, to: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url} answered ${res.statusCode}`));
        return;
      }
      const writer = new TarWriter(to);
      res.on('data', (chunk: Buffer) => {
        try {
          writer.push(chunk);
        } catch (error) {
          res.destroy(error as Error);
        }
      });
      res.on('end', () => {
        if (writer.complete) resolve(writer.files);
        else reject(new Error('the archive ended without its end blocks'));
      });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** A ustar + pax reader that writes each regular file under `to` as soon as its bytes are in. */
class TarWriter {
  files = 0;
  complete = false;
  private pending: Buffer = Buffer.alloc(0);
  private paxPath: string | null = null;
  private readonly made = new Set<string>();

  constructor(private readonly to: string) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (!this.complete && this.pending.length >= 512) {
      const header = this.pending.subarray(0, 512);
      if (header.every((byte) => byte === 0)) {
        // the first of the two end blocks; the second is not waited for
        this.complete = true;
        return;
      }
      const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
      const end = 512 + Math.ceil(size / 512) * 512;
      if (this.pending.length < end) return;
      const body = this.pending.subarray(512, 512 + size);
      const type = header[156]!;
      if (type === 0x78) this.paxPath = paxRecord(body, 'path');
      else if (type === 0x30 || type === 0) this.write(this.paxPath ?? ustarName(header), body);
      if (type !== 0x78) this.paxPath = null;
      this.pending = this.pending.subarray(end);
    }
  }

  private write(name: string, body: Buffer): void {
    const path = join(this.to, name);
    const parent = dirname(path);
    if (!this.made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      this.made.add(parent);
    }
    writeFileSync(path, body);
    this.files++;
  }
}

function ustarName(header: Buffer): string {
  const field = (from: number, to: number) => header.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
  const prefix = field(345, 500);
  return prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
}

/** One record's value from a pax header's `<len> <key>=<value>\n` lines, or null. */
function paxRecord(body: Buffer, key: string): string | null {
  for (const line of body.toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (line.slice(space + 1).startsWith(`${key}=`)) return line.slice(space + 2 + key.length);
  }
  return null;
}
