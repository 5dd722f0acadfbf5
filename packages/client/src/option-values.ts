import { gzipModes, type GzipMode } from './gzip-choice.js';
import { UsageError } from './usage-error.js';

/** `10MiB`, `512KiB`, `1048576` → bytes. */
export function size(text: string, flag: string): number {
  const match = /^(\d+)\s*(|b|k|kib|m|mib|g|gib)$/i.exec(text.trim());
  if (!match) throw new UsageError(`${flag} ${text}: expected a size such as 10MiB`);
  const unit = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 }[
    match[2]!.toLowerCase()
  ]!;
  return Number(match[1]) * unit;
}

/** `30s`, `10m`, `2h`, `45` (seconds) → milliseconds. */
export function duration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(|s|m|h)$/i.exec(text.trim());
  if (!match) throw new UsageError(`${flag} ${text}: expected a duration such as 30s, 10m or 2h`);
  return Number(match[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000 }[match[2]!.toLowerCase()]!;
}

export function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${flag} ${text}: expected a whole number of at least 1`);
  return value;
}

export function gzipMode(text: string): GzipMode {
  const mode = gzipModes.find((m) => m === text);
  if (mode === undefined) throw new UsageError(`--gzip ${text}: expected one of ${gzipModes.join(', ')}`);
  return mode;
}
