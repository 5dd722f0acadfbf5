import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs on its embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, role: 'all', keyPrefix: 'sluice' });
    expect(config.store).toEqual({ kind: 'fs', dataDir: './data', fsync: true });
  });

  it('names every problem at once', () => {
    const attempt = () =>
      loadConfig({ SLUICE_PORT: 'eighty', SLUICE_ROLE: 'both', SLUICE_STORE: 's3', SLUICE_S3_ENDPOINT: '' });
    expect(attempt).toThrow(/SLUICE_PORT/);
    expect(attempt).toThrow(/SLUICE_ROLE/);
    expect(attempt).toThrow(/SLUICE_S3_ENDPOINT is required/);
    expect(attempt).toThrow(/SLUICE_S3_ACCESS_KEY is required/);
  });

  it('reads an S3 store', () => {
    const config = loadConfig({
      SLUICE_STORE: 's3',
      SLUICE_S3_ENDPOINT: 'http://127.0.0.1:9000',
      SLUICE_S3_ACCESS_KEY: 'k',
      SLUICE_S3_SECRET_KEY: 's',
      SLUICE_S3_BUCKET: 'datasets',
    });
    expect(config.store).toEqual({
      kind: 's3', endpoint: 'http://127.0.0.1:9000', accessKey: 'k', secretKey: 's', bucket: 'datasets', region: 'us-east-1',
    });
  });
});
