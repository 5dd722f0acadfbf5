import { availableParallelism } from 'node:os';
import { SluiceError } from './sluice-error.js';

export type Role = 'all' | 'api' | 'worker';

export interface S3Config {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

export type StoreConfig = { kind: 'fs'; dataDir: string; fsync: boolean } | ({ kind: 's3' } & S3Config);

export interface Limits {
  /** Parts per upload request. */
  maxParts: number;
  /** Bytes of one request body (all parts as sent, compressed). */
  maxRequestBytes: number;
  /** Bytes one gzip part may inflate to. */
  maxInflateBytes: number;
  /** Inflated / compressed ratio allowed once a part has inflated past `inflateRatioFloor`. */
  maxInflateRatio: number;
  /** Node's limit on the total size of request headers. */
  maxHeaderBytes: number;
}

/** Where Redis is: one server, or the seed nodes of a Redis Cluster (the rest are discovered). */
export interface RedisTarget {
  urls: readonly string[];
  cluster: boolean;
}

/**
 * Where Redis comes from: URLs (`url`, only when configured), or a private redis-server under
 * the data directory (`embedded`, the default), whose URL is a placeholder until start-up runs it.
 */
export type RedisMode = 'url' | 'embedded';

export interface Config {
  host: string;
  port: number;
  role: Role;
  /** Where a worker-only process serves GET /metrics (the API serves it on its own port); 0 is off. */
  metricsPort: number;
  redis: RedisTarget & { mode: RedisMode };
  /** How long start-up waits for an unreachable Redis or object store before giving up. */
  startupWaitSeconds: number;
  keyPrefix: string;
  store: StoreConfig;
  limits: Limits;
  /** Piscina threads per worker process. */
  threads: number;
  /** Jobs one worker process runs at once. */
  workerConcurrency: number;
  /** How long a finished job's results stay pollable. */
  jobRetentionSeconds: number;
  /** How long a synchronous upload waits for its job before answering 504 with the job id. */
  syncTimeoutSeconds: number;
  /** Free bytes of the filesystem store below which the node reports itself not ready. */
  minFreeBytes: number;
  /** Upload requests one API node reads at once; more answer 503 before their body is read. */
  maxUploadsInFlight: number;
  /** Announced bytes of the upload bodies one API node reads at once. */
  maxSpoolBytesInFlight: number;
  /** Of those, the uploads one caller (token, else address) reads at once: one tenant cannot take them all. */
  maxUploadsPerCaller: number;
  /** An upload body delivering fewer bytes than this over `uploadRateWindowSeconds` is cut; 0 turns it off. */
  uploadMinBytesPerSecond: number;
  uploadRateWindowSeconds: number;
  /** Streamed answers (archives) one API node sends at once, and of those one caller's; more answer 503. */
  maxStreamsInFlight: number;
  maxStreamsPerCaller: number;
  /** A streamed answer whose client has taken nothing for this long is cut, freeing what it held. */
  streamStallSeconds: number;
  /** Spool objects no job references (and packs nothing points at) are removed after this long. */
  spoolGraceSeconds: number;
  /** New versions smaller than this go into pack objects, many per write; 0 stores each on its own. */
  packBelowBytes: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Bearer tokens required on every route but health and version; tokens live hashed in `tokensFile`. */
  auth: { enabled: boolean; tokensFile: string };
  /** The operator means it: an API bound beyond loopback with auth off (an open, writable server). */
  allowOpen: boolean;
  /** Most files and bytes one workspace may have staged at once; 0 is no limit. */
  workspaceQuota: { files: number; bytes: number };
  /**
   * Requests per window per token (per client IP without auth), shared by all API nodes; 0 is off.
   * Reads of content (`readMax`) are counted apart, in a class of their own.
   */
  rateLimit: { max: number; windowSeconds: number; readMax: number };
  /**
   * Origins (scheme://host[:port]) besides the server's own whose pages may send changing requests;
   * and Host names besides loopback ones a loopback-bound server answers (against DNS rebinding).
   */
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
  /** Check every JSON answer against its route's schema and fail it (500) when it strays: for tests. */
  checkAnswers: boolean;
}

/** Every variable sluice reads, with its default; `.env.example` and docs/configuration.md list the same. */
export const configDefaults = {
  SLUICE_HOST: '127.0.0.1',
  SLUICE_PORT: '3000',
  SLUICE_ROLE: 'all',
  SLUICE_METRICS_PORT: '9464',
  SLUICE_REDIS_URL: 'embedded',
  SLUICE_REDIS_CLUSTER: 'off',
  SLUICE_KEY_PREFIX: 'sluice',
  SLUICE_STORE: 'fs',
  SLUICE_DATA_DIR: './data',
  SLUICE_FS_FSYNC: 'true',
  SLUICE_S3_ENDPOINT: '',
  SLUICE_S3_ACCESS_KEY: '',
  SLUICE_S3_SECRET_KEY: '',
  SLUICE_S3_BUCKET: 'sluice',
  SLUICE_S3_REGION: 'us-east-1',
  SLUICE_MAX_PARTS: '50000',
  SLUICE_MAX_REQUEST_BYTES: String(4 * 1024 ** 3),
  SLUICE_MAX_INFLATE_BYTES: String(4 * 1024 ** 3),
  SLUICE_MAX_INFLATE_RATIO: '200',
  SLUICE_MAX_HEADER_BYTES: String(64 * 1024),
  SLUICE_THREADS: String(Math.max(1, availableParallelism())),
  SLUICE_WORKER_CONCURRENCY: '8',
  SLUICE_JOB_RETENTION_SECONDS: '86400',
  SLUICE_SYNC_TIMEOUT_SECONDS: '600',
  SLUICE_SPOOL_GRACE_SECONDS: '3600',
  SLUICE_PACK_BELOW_BYTES: String(4 * 1024 * 1024),
  SLUICE_MIN_FREE_BYTES: String(256 * 1024 * 1024),
  SLUICE_MAX_UPLOADS_IN_FLIGHT: '256',
  SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT: String(16 * 1024 ** 3),
  /** Empty: half of SLUICE_MAX_UPLOADS_IN_FLIGHT, rounded up. */
  SLUICE_MAX_UPLOADS_PER_CALLER: '',
  SLUICE_UPLOAD_MIN_BYTES_PER_SECOND: '1024',
  SLUICE_UPLOAD_RATE_WINDOW_SECONDS: '30',
  SLUICE_MAX_STREAMS_IN_FLIGHT: '16',
  SLUICE_MAX_STREAMS_PER_CALLER: '4',
  SLUICE_STREAM_STALL_SECONDS: '60',
  SLUICE_LOG_LEVEL: 'info',
  SLUICE_STARTUP_WAIT_SECONDS: '60',
  SLUICE_AUTH: 'off',
  SLUICE_AUTH_TOKENS_FILE: './data/tokens.json',
  SLUICE_ALLOW_OPEN: 'false',
  SLUICE_WORKSPACE_MAX_FILES: '0',
  SLUICE_WORKSPACE_MAX_BYTES: '0',
  SLUICE_RATE_LIMIT: '6000',
  SLUICE_RATE_LIMIT_WINDOW_SECONDS: '60',
  SLUICE_READ_RATE_LIMIT: '120000',
  SLUICE_CHECK_ANSWERS: 'off',
  SLUICE_ALLOWED_ORIGINS: '',
  SLUICE_ALLOWED_HOSTS: '',
} as const;

export type ConfigVariable = keyof typeof configDefaults;
export type Environment = Partial<Record<string, string | undefined>>;

/** An address only this machine reaches (`[::1]` as a URL or Host header spells it, too). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Parses the environment once at start-up; a bad value throws one error naming every problem. */
export function loadConfig(env: Environment): Config {
  const problems: string[] = [];
  const raw = (name: ConfigVariable): string => {
    const value = env[name];
    return value === undefined || value === '' ? configDefaults[name] : value;
  };
  const integer = (name: ConfigVariable, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const text = raw(name);
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  };
  const oneOf = <T extends string>(name: ConfigVariable, allowed: readonly T[]): T => {
    const text = raw(name);
    if ((allowed as readonly string[]).includes(text)) return text as T;
    problems.push(`${name}=${JSON.stringify(text)}: expected one of ${allowed.join(', ')}`);
    return allowed[0] as T;
  };
  const urlText = (name: ConfigVariable, text: string, protocols: readonly string[]): string => {
    try {
      if (protocols.includes(new URL(text).protocol)) return text;
    } catch {
      // reported below
    }
    problems.push(`${name}=${JSON.stringify(text)}: expected a ${protocols.join(' or ')}// URL`);
    return text;
  };
  const url = (name: ConfigVariable, protocols: readonly string[]): string => urlText(name, raw(name), protocols);
  const list = (name: ConfigVariable): string[] =>
    raw(name)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  // compared with what a browser sends in Origin: scheme, host and port only, lower-case, no default port
  const origins = list('SLUICE_ALLOWED_ORIGINS').map((text) => {
    try {
      const parsed = new URL(text);
      if (
        (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
        text.replace(/\/$/, '').toLowerCase() === parsed.origin
      ) {
        return parsed.origin;
      }
    } catch {
      // reported below
    }
    problems.push(
      `SLUICE_ALLOWED_ORIGINS: ${JSON.stringify(text)} is not an ` +
        `origin (expected scheme://host[:port], as http://localhost:5173)`,
    );
    return text;
  });
  // a host name, or host:port to allow that port only; compared lower-case with the Host header
  const hosts = list('SLUICE_ALLOWED_HOSTS').map((text) => {
    if (!/^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(text)) {
      problems.push(
        `SLUICE_ALLOWED_HOSTS: ${JSON.stringify(text)} is not a host name (expected name or name:port, as sluice.lan)`,
      );
    }
    return text.toLowerCase();
  });

  const role = oneOf<Role>('SLUICE_ROLE', ['all', 'api', 'worker']);
  const storeKind = oneOf('SLUICE_STORE', ['fs', 's3'] as const);
  let store: StoreConfig;
  if (storeKind === 's3') {
    const required = (name: ConfigVariable): string => {
      const text = raw(name);
      if (text === '') problems.push(`${name} is required when SLUICE_STORE=s3`);
      return text;
    };
    store = {
      kind: 's3',
      endpoint: required('SLUICE_S3_ENDPOINT') === '' ? '' : url('SLUICE_S3_ENDPOINT', ['http:', 'https:']),
      accessKey: required('SLUICE_S3_ACCESS_KEY'),
      secretKey: required('SLUICE_S3_SECRET_KEY'),
      bucket: required('SLUICE_S3_BUCKET'),
      region: raw('SLUICE_S3_REGION'),
    };
    if (store.bucket !== '' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(store.bucket)) {
      problems.push(`SLUICE_S3_BUCKET=${JSON.stringify(store.bucket)}: not a valid bucket name`);
    }
  } else {
    store = {
      kind: 'fs',
      dataDir: raw('SLUICE_DATA_DIR'),
      fsync: oneOf('SLUICE_FS_FSYNC', ['true', 'false'] as const) === 'true',
    };
  }
  const redisCluster = oneOf('SLUICE_REDIS_CLUSTER', ['off', 'on'] as const) === 'on';
  const redisText = raw('SLUICE_REDIS_URL').trim();
  // `auto` (the old default, which took any Redis answering on 127.0.0.1:6379) now means embedded:
  // an unconfigured sluice keeps all its data under SLUICE_DATA_DIR
  const redisMode: RedisMode =
    redisText === 'auto' || redisText === 'embedded' || redisText === '' ? 'embedded' : 'url';
  const redisUrls = redisMode === 'url' ? redisText.split(',').map((text) => text.trim()) : ['redis://127.0.0.1:6379'];
  if (!redisCluster && redisUrls.length > 1) {
    problems.push('SLUICE_REDIS_URL: several URLs (cluster seed nodes) need SLUICE_REDIS_CLUSTER=on');
  }
  if (redisCluster && redisMode !== 'url')
    problems.push(`SLUICE_REDIS_CLUSTER=on needs the cluster's seed URLs in SLUICE_REDIS_URL, not ${redisMode}`);
  if (redisMode === 'url') for (const text of redisUrls) urlText('SLUICE_REDIS_URL', text, ['redis:', 'rediss:']);
  const keyPrefix = raw('SLUICE_KEY_PREFIX');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(keyPrefix)) {
    problems.push(`SLUICE_KEY_PREFIX=${JSON.stringify(keyPrefix)}: expected 1 to 64 of A-Z a-z 0-9 _ . : -`);
  }

  const config: Config = {
    host: raw('SLUICE_HOST'),
    port: integer('SLUICE_PORT', 0, 65535),
    role,
    metricsPort: integer('SLUICE_METRICS_PORT', 0, 65535),
    redis: { urls: redisUrls, cluster: redisCluster, mode: redisMode },
    startupWaitSeconds: integer('SLUICE_STARTUP_WAIT_SECONDS', 1, 3600),
    keyPrefix,
    store,
    limits: {
      maxParts: integer('SLUICE_MAX_PARTS', 1),
      maxRequestBytes: integer('SLUICE_MAX_REQUEST_BYTES', 1024),
      maxInflateBytes: integer('SLUICE_MAX_INFLATE_BYTES', 10 * 1024 * 1024),
      maxInflateRatio: integer('SLUICE_MAX_INFLATE_RATIO', 2),
      maxHeaderBytes: integer('SLUICE_MAX_HEADER_BYTES', 8 * 1024, 1024 * 1024),
    },
    threads: integer('SLUICE_THREADS', 1, 256),
    workerConcurrency: integer('SLUICE_WORKER_CONCURRENCY', 1, 1024),
    jobRetentionSeconds: integer('SLUICE_JOB_RETENTION_SECONDS', 1),
    syncTimeoutSeconds: integer('SLUICE_SYNC_TIMEOUT_SECONDS', 1),
    spoolGraceSeconds: integer('SLUICE_SPOOL_GRACE_SECONDS', 1),
    packBelowBytes: integer('SLUICE_PACK_BELOW_BYTES', 0, 64 * 1024 * 1024),
    minFreeBytes: integer('SLUICE_MIN_FREE_BYTES', 0),
    maxUploadsInFlight: integer('SLUICE_MAX_UPLOADS_IN_FLIGHT', 1),
    maxSpoolBytesInFlight: integer('SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT', 1024),
    maxUploadsPerCaller: 0,
    uploadMinBytesPerSecond: integer('SLUICE_UPLOAD_MIN_BYTES_PER_SECOND', 0),
    uploadRateWindowSeconds: integer('SLUICE_UPLOAD_RATE_WINDOW_SECONDS', 1, 3600),
    maxStreamsInFlight: integer('SLUICE_MAX_STREAMS_IN_FLIGHT', 1),
    maxStreamsPerCaller: integer('SLUICE_MAX_STREAMS_PER_CALLER', 1),
    streamStallSeconds: integer('SLUICE_STREAM_STALL_SECONDS', 1, 86_400),
    logLevel: oneOf('SLUICE_LOG_LEVEL', ['info', 'fatal', 'error', 'warn', 'debug', 'trace', 'silent'] as const),
    auth: {
      enabled: oneOf('SLUICE_AUTH', ['off', 'on'] as const) === 'on',
      tokensFile: raw('SLUICE_AUTH_TOKENS_FILE'),
    },
    workspaceQuota: {
      files: integer('SLUICE_WORKSPACE_MAX_FILES', 0),
      bytes: integer('SLUICE_WORKSPACE_MAX_BYTES', 0),
    },
    rateLimit: {
      max: integer('SLUICE_RATE_LIMIT', 0),
      windowSeconds: integer('SLUICE_RATE_LIMIT_WINDOW_SECONDS', 1, 86_400),
      readMax: integer('SLUICE_READ_RATE_LIMIT', 0),
    },
    checkAnswers: oneOf('SLUICE_CHECK_ANSWERS', ['off', 'on'] as const) === 'on',
    allowedOrigins: origins,
    allowedHosts: hosts,
    allowOpen: oneOf('SLUICE_ALLOW_OPEN', ['false', 'true'] as const) === 'true',
  };
  config.maxUploadsPerCaller =
    raw('SLUICE_MAX_UPLOADS_PER_CALLER') === ''
      ? Math.ceil(config.maxUploadsInFlight / 2)
      : integer('SLUICE_MAX_UPLOADS_PER_CALLER', 1, config.maxUploadsInFlight);
  // as Redis's protected mode: whoever reaches the port could write and delete datasets and jobs
  if (config.role !== 'worker' && !config.auth.enabled && !isLoopback(config.host) && !config.allowOpen) {
    problems.push(
      `SLUICE_HOST=${config.host} with SLUICE_AUTH=off serves an open, writable dataset server to every host ` +
        `that reaches it: ` +
        'turn auth on (SLUICE_AUTH=on, see "Auth"), bind to 127.0.0.1, or set SLUICE_ALLOW_OPEN=true if that ' +
        'is what you mean',
    );
  }
  if (problems.length > 0) {
    throw new SluiceError('invalid_config', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
