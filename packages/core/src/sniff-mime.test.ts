import { describe, expect, it } from 'vitest';
import { sniffMime } from './sniff-mime.js';

describe('sniffMime', () => {
  it.each([
    [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0], 'a.bin', 'image/png', 'image'],
    [[0xff, 0xd8, 0xff, 0xe0], 'x.jpg', 'image/jpeg', 'image'],
    [[...Buffer.from('RIFF\0\0\0\0WEBPVP8 ')], 'w', 'image/webp', 'image'],
    [[...Buffer.from('a,b\n1,2\n')], 'd/t.csv', 'text/plain', 'tabular'],
    [[...Buffer.from('# Title')], 'README.md', 'text/markdown', 'text'],
    [[...Buffer.from('naïve')], 'n.txt', 'text/plain', 'text'],
    [[0xc3], 'cut.txt', 'text/plain', 'text'],
    [[0xff, 0xfe, 0x00, 0x81, 0x82], 'b', 'application/octet-stream', 'binary'],
  ])('sniffs %j as %s', (bytes, path, mimeType, dataType) => {
    expect(sniffMime(Uint8Array.from(bytes), path)).toEqual({ mimeType, dataType });
  });
});
