import { describe, expect, it } from 'vitest';
import { gzipParts } from './gzip-choice.js';

describe('gzipParts', () => {
  it('sends plain to a server on this machine and gzipped across a network, unless told', () => {
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://127.1.2.3', 'http://[::1]:3000'])
      expect(gzipParts('auto', url)).toBe(false);
    for (const url of ['http://10.0.0.5:3000', 'https://hub.example.com', 'http://[2001:db8::1]/'])
      expect(gzipParts('auto', url)).toBe(true);
    expect(gzipParts('always', 'http://127.0.0.1:3000')).toBe(true);
    expect(gzipParts('never', 'https://hub.example.com')).toBe(false);
  });
});
