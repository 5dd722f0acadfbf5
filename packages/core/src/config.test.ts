import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDefaults, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs on its embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, role: 'all', keyPrefix: 'sluice' });
    expect(config.store).toEqual({ kind: 'fs', dataDir: './data', fsync: true });
    expect(config.redis).toEqual({ urls: ['redis://127.0.0.1:6379'], cluster: false, mode: 'embedded' });
  });

  it('reads the seed nodes of a Redis Cluster, and refuses several URLs without cluster mode', () => {
    const seeds = 'redis://10.0.0.1:7000, redis://10.0.0.2:7000';
    expect(loadConfig({ SLUICE_REDIS_URL: seeds, SLUICE_REDIS_CLUSTER: 'on' }).redis).toEqual({
      urls: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'],
      cluster: true,
      mode: 'url',
    });
    expect(() => loadConfig({ SLUICE_REDIS_URL: seeds })).toThrow(/need SLUICE_REDIS_CLUSTER=on/);
    expect(() => loadConfig({ SLUICE_REDIS_URL: 'redis://a:1,http://b:2', SLUICE_REDIS_CLUSTER: 'on' })).toThrow(
      /"http:\/\/b:2"/,
    );
  });

  it('names every problem at once', () => {
    const attempt = () =>
      loadConfig({ SLUICE_PORT: 'eighty', SLUICE_ROLE: 'both', SLUICE_STORE: 's3', SLUICE_S3_ENDPOINT: '' });
    expect(attempt).toThrow(/SLUICE_PORT/);
    expect(attempt).toThrow(/SLUICE_ROLE/);
    expect(attempt).toThrow(/SLUICE_S3_ENDPOINT is required/);
    expect(attempt).toThrow(/SLUICE_S3_ACCESS_KEY is required/);
  });

  it('reads the allowed origins and hosts as comma lists, and refuses what is no origin or host name', () => {
    const config = loadConfig({
      SLUICE_ALLOWED_ORIGINS: 'http://localhost:5173, HTTPS://Tools.Example/',
      SLUICE_ALLOWED_HOSTS: 'Sluice.lan,box:3000',
    });
    expect(config.allowedOrigins).toEqual(['http://localhost:5173', 'https://tools.example']);
    expect(config.allowedHosts).toEqual(['sluice.lan', 'box:3000']);
    expect(loadConfig({}).allowedOrigins).toEqual([]);
    expect(() => loadConfig({ SLUICE_ALLOWED_ORIGINS: 'http://a.example/path' })).toThrow(
      /SLUICE_ALLOWED_ORIGINS: "http:\/\/a.example\/path"/,
    );
    expect(() => loadConfig({ SLUICE_ALLOWED_ORIGINS: 'a.example' })).toThrow(/SLUICE_ALLOWED_ORIGINS/);
    expect(() => loadConfig({ SLUICE_ALLOWED_HOSTS: 'http://a.example' })).toThrow(/SLUICE_ALLOWED_HOSTS/);
  });

  it('refuses an API bound beyond loopback with auth off, unless told so explicitly', () => {
    expect(() => loadConfig({ SLUICE_HOST: '0.0.0.0' })).toThrow(
      /SLUICE_HOST=0.0.0.0 with SLUICE_AUTH=off .*SLUICE_ALLOW_OPEN=true/,
    );
    expect(() => loadConfig({ SLUICE_HOST: '10.1.2.3', SLUICE_ROLE: 'api' })).toThrow(/SLUICE_ALLOW_OPEN/);
    expect(loadConfig({ SLUICE_HOST: '0.0.0.0', SLUICE_ALLOW_OPEN: 'true' }).allowOpen).toBe(true);
    expect(loadConfig({ SLUICE_HOST: '0.0.0.0', SLUICE_AUTH: 'on' }).host).toBe('0.0.0.0');
    // a worker-only process serves only its metrics
    expect(loadConfig({ SLUICE_HOST: '0.0.0.0', SLUICE_ROLE: 'worker' }).role).toBe('worker');
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1'])
      expect(loadConfig({ SLUICE_HOST: host }).host).toBe(host);
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
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      accessKey: 'k',
      secretKey: 's',
      bucket: 'datasets',
      region: 'us-east-1',
    });
  });

  it('shares the upload slots among callers and reads the minimum body rate', () => {
    expect(loadConfig({ SLUICE_MAX_UPLOADS_IN_FLIGHT: '5' })).toMatchObject({
      maxUploadsPerCaller: 3,
      uploadMinBytesPerSecond: 1024,
      uploadRateWindowSeconds: 30,
    });
    expect(loadConfig({ SLUICE_MAX_UPLOADS_PER_CALLER: '4', SLUICE_UPLOAD_MIN_BYTES_PER_SECOND: '0' })).toMatchObject({
      maxUploadsPerCaller: 4,
      uploadMinBytesPerSecond: 0,
    });
    const attempt = () =>
      loadConfig({
        SLUICE_MAX_UPLOADS_IN_FLIGHT: '4',
        SLUICE_MAX_UPLOADS_PER_CALLER: '5',
        SLUICE_UPLOAD_MIN_BYTES_PER_SECOND: 'fast',
        SLUICE_UPLOAD_RATE_WINDOW_SECONDS: '0',
      });
    expect(attempt).toThrow(/SLUICE_MAX_UPLOADS_PER_CALLER="5": expected a whole number from 1 to 4/);
    expect(attempt).toThrow(/SLUICE_UPLOAD_MIN_BYTES_PER_SECOND/);
    expect(attempt).toThrow(/SLUICE_UPLOAD_RATE_WINDOW_SECONDS/);
  });

  it('is documented: .env.example and docs/configuration.md list every variable', () => {
    const envExample = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const name of Object.keys(configDefaults)) {
      expect(envExample, name).toMatch(new RegExp(`^${name}=`, 'm'));
      expect(readme, name).toContain(`\`${name}\``);
    }
  });
});
