import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/** Peak resident memory of a process (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Starts a process's peak resident memory afresh (Linux: writing 5 to clear_refs resets VmHWM). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Commands Redis has executed so far by name (INFO commandstats), scripts' inner calls included. */
export async function redisCommandCounts(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) counts.set(match[1]!, Number(match[2]));
  return counts;
}

/** Total commands Redis has executed (INFO commandstats), scripts' inner calls included. */
export async function redisCommands(redis: Redis): Promise<number> {
  let total = 0;
  for (const calls of (await redisCommandCounts(redis)).values()) total += calls;
  return total;
}

/** The commands per item between two counts, the most frequent first, e.g. "hget 2.01, hset 0.97". */
export function commandsPer(before: Map<string, number>, after: Map<string, number>, items: number): string {
  return [...after]
    .map(([name, calls]) => [name, (calls - (before.get(name) ?? 0)) / items] as const)
    .filter(([, per]) => per >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([name, per]) => `${name} ${per.toFixed(2)}`)
    .join(', ');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Object-store requests a sluice process made so far, from its stats route, by area and operation. */
export async function storeRequests(baseUrl: string): Promise<Record<string, Record<string, number>>> {
  const reply = await fetch(`${baseUrl}/api/stats`);
  return ((await reply.json()) as { store_requests: Record<string, Record<string, number>> }).store_requests;
}

export function totalRequests(counts: Record<string, Record<string, number>>, area?: string, op?: string): number {
  let total = 0;
  for (const [a, ops] of Object.entries(counts)) {
    if (area !== undefined && a !== area) continue;
    for (const [o, n] of Object.entries(ops)) if (op === undefined || o === op) total += n;
  }
  return total;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Bytes of the files under `dir` (recursively), 0 when it does not exist. */
export function bytesUnder(dir: string): number {
  let total = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else total += statSync(child).size;
    }
  };
  if (existsSync(dir)) walk(dir);
  return total;
}
