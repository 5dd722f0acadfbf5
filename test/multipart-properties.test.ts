import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash, stagedPath } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, stagedFiles, upload } from './support/oxen-http.js';

// Filenames built from the characters that matter to normalization and to multipart encoding.
const segment = fc.oneof(
  fc.constantFrom('.', '..', '', 'a', 'b.txt', 'dir', 'é', '🐂', 'x y', 'back\\slash', 'q"uote', "it's"),
  fc.string({ unit: fc.constantFrom('a', 'b', '-', '_', '.', 'ü', '漢'), minLength: 1, maxLength: 6 }),
);
const filename = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
const file = fc.record({ filename, content: fc.uint8Array({ maxLength: 3000 }), gzip: fc.boolean() });

describe('multipart handling, by property', () => {
  let sluice: SluiceProcess;
  let ws: string;
  let round = 0;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
    ws = await repoWithWorkspace(sluice.url, 'ox', 'props', 'ws');
  });
  afterAll(async () => sluice?.stop());

  it('stages each batch exactly as the normalization rule and the hash format say, or refuses it whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 8 }), async (files) => {
        const directory = `r${round++}`;
        const expected: Array<string | null> = files.map((f) => {
          try {
            return stagedPath(directory, f.filename);
          } catch {
            return null;
          }
        });
        const reply = await upload(
          sluice.url,
          `${ws}/files/${directory}`,
          files.map((f) => ({ filename: f.filename, content: Buffer.from(f.content), gzip: f.gzip })),
        );
        const staged = await stagedFiles(sluice.url, ws);
        const mine = [...staged.keys()].filter((p) => p === directory || p.startsWith(`${directory}/`));
        if (expected.includes(null)) {
          expect(reply.status).toBe(400);
          expect(mine).toEqual([]);
          return;
        }
        // a file and a directory never share a path: a file under another file of the batch
        // refuses the whole request (409 path_conflict), staging nothing
        const paths = expected as string[];
        if (paths.some((p) => paths.some((q) => q.startsWith(`${p}/`)))) {
          expect(reply.status).toBe(409);
          expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'path_conflict' } });
          expect(mine).toEqual([]);
          return;
        }
        expect(reply.status).toBe(200);
        expect(reply.json().paths).toEqual(expected);
        // the last part at a path wins
        const last = new Map<string, Uint8Array>();
        files.forEach((f, i) => last.set(expected[i]!, f.content));
        expect(mine.sort()).toEqual([...last.keys()].sort());
        for (const [path, content] of last) expect(staged.get(path)?.hash, path).toBe(await oxenHash(content));
      }),
      { numRuns: 40 },
    );
  });
});
