import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../test/support/repo-root.js';
import type { BenchFile } from './dataset.js';

interface DownloadSummary {
  fetched: number;
  skipped: number;
  verified: number;
  failed: unknown[];
  seconds: number;
}

/** `sluice download` as a user runs it: the CLI as a process, its JSON summary parsed. */
export function sluiceDownload(args: string[]): Promise<DownloadSummary> {
  return new Promise((resolve, reject) => {
    const cli = join(repoRoot(), 'packages/client/bin/sluice.js');
    const child = spawn(process.execPath, [cli, 'download', ...args, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`sluice download exited ${code}: ${out.slice(0, 500)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as DownloadSummary);
    });
  });
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else found.push(relative(dir, child));
    }
  };
  walk(dir);
  return found;
}

/**
 * Throws unless `dir` holds exactly `files` (no more, no leftovers such as `.sluice-part`), each
 * with its size, and every `sampleEvery`-th one with its SHA-256.
 */
export function verifyDownloaded(dir: string, files: readonly BenchFile[], sampleEvery: number): void {
  const found = filesUnder(dir);
  if (found.length !== files.length) throw new Error(`${dir} holds ${found.length} files, expected ${files.length}`);
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  files.forEach((file, i) => {
    const path = join(dir, file.name);
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size !== file.content.length) {
      throw new Error(`${path}: ${size ?? 'missing'}, expected ${file.content.length} bytes`);
    }
    if (i % sampleEvery === 0 && sha(readFileSync(path)) !== sha(file.content)) {
      throw new Error(`${path}: content differs`);
    }
  });
}
