import { describe, expect, it } from 'vitest';
import { parseRemote } from './remote.js';
import { ClientError } from './client-error.js';

describe('parseRemote', () => {
  it('splits an Oxen-style remote into the server and the repository', () => {
    expect(parseRemote('http://127.0.0.1:3000/ox/cats')).toEqual({
      baseUrl: 'http://127.0.0.1:3000',
      namespace: 'ox',
      repo: 'cats',
    });
    expect(parseRemote('https://hub.example/ox/cats/')).toEqual({
      baseUrl: 'https://hub.example',
      namespace: 'ox',
      repo: 'cats',
    });
    expect(parseRemote('http://h/team%20a/r')).toMatchObject({ namespace: 'team a' });
  });

  it('refuses what does not name exactly one repository', () => {
    for (const bad of [
      '127.0.0.1:3000/ox/cats',
      'http://h/ox',
      'http://h/ox/cats/more',
      'ftp://h/ox/cats',
      'nonsense',
    ]) {
      expect(() => parseRemote(bad), bad).toThrow(ClientError);
    }
  });
});
