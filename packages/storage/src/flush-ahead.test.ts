import { createWriteStream, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FlushAhead } from './flush-ahead.js';
import { tempDir } from '../../../test/support/temp-dirs.js';

describe('FlushAhead', () => {
  it('passes every byte on in order while starting write-backs of the file behind it', async () => {
    const chunks = Array.from({ length: 40 }, () => randomBytes(256 * 1024));
    const path = join(tempDir('sluice-flush-'), 'out');
    const out = createWriteStream(path, { flush: true });
    const ahead = new FlushAhead(out, 1024 * 1024);
    await pipeline(Readable.from(chunks), ahead, out);
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
    // 10 MiB at a 1 MiB stride: one write-back at a time, so at least one and at most ten
    expect(ahead.syncsStarted).toBeGreaterThanOrEqual(1);
    expect(ahead.syncsStarted).toBeLessThanOrEqual(10);
  });
});
