/**
 * The one table of sluice's error codes. The API maps a code to its HTTP status and Oxen
 * `status_message`; the worker maps it to a retry decision. Errors crossing a thread boundary lose
 * their class, so code that receives one must look the code up here rather than use instanceof.
 */
export const errorCodes = {
  bad_request: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Bad Request' },
  invalid_json: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Invalid JSON' },
  invalid_path: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Bad Request' },
  invalid_name: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Invalid name' },
  name_too_long: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Name too long' },
  missing_filename: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Bad Request' },
  malformed_multipart: {
    status: 400,
    retryable: false,
    statusMessage: 'bad_request',
    title: 'Malformed multipart body',
  },
  not_multipart: { status: 415, retryable: false, statusMessage: 'bad_request', title: 'Unsupported Content-Type' },
  not_a_file: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Not a file' },
  branch_required: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Branch not found' },
  unauthorized: { status: 401, retryable: false, statusMessage: 'unauthorized', title: 'Unauthorized' },
  forbidden: { status: 403, retryable: false, statusMessage: 'forbidden', title: 'Forbidden' },
  origin_refused: { status: 403, retryable: false, statusMessage: 'forbidden', title: 'Cross-origin request refused' },
  host_refused: { status: 403, retryable: false, statusMessage: 'forbidden', title: 'Host not served' },
  repo_not_found: { status: 404, retryable: false, statusMessage: 'resource_not_found', title: 'Repository not found' },
  workspace_not_found: {
    status: 404,
    retryable: false,
    statusMessage: 'resource_not_found',
    title: 'Workspace not found',
  },
  branch_not_found: {
    status: 404,
    retryable: false,
    statusMessage: 'resource_not_found',
    title: 'Branch does not exist',
  },
  job_not_found: { status: 404, retryable: false, statusMessage: 'resource_not_found', title: 'Job not found' },
  resource_not_found: {
    status: 404,
    retryable: false,
    statusMessage: 'resource_not_found',
    title: 'Resource not found',
  },
  version_blobs_missing: {
    status: 404,
    retryable: false,
    statusMessage: 'resource_not_found',
    title: 'Version blobs missing on server',
  },
  repo_exists: { status: 409, retryable: false, statusMessage: 'Repo already exists.', title: 'Repo already exists' },
  branch_exists: {
    status: 409,
    retryable: false,
    statusMessage: 'resource_already_exists',
    title: 'Branch already exists',
  },
  conflict: { status: 409, retryable: false, statusMessage: 'conflict', title: 'Conflict' },
  workspace_behind: { status: 409, retryable: false, statusMessage: 'conflict', title: 'Workspace is behind' },
  branch_protected: { status: 409, retryable: false, statusMessage: 'conflict', title: 'Branch may not be deleted' },
  repo_being_deleted: { status: 409, retryable: true, statusMessage: 'conflict', title: 'Repository is being deleted' },
  path_conflict: {
    status: 409,
    retryable: false,
    statusMessage: 'conflict',
    title: 'A file and a directory at one path',
  },
  destination_already_staged: {
    status: 409,
    retryable: false,
    statusMessage: 'conflict',
    title: 'Destination already staged',
  },
  hash_mismatch: {
    status: 400,
    retryable: false,
    statusMessage: 'bad_request',
    title: 'Content does not match its hash',
  },
  chunk_count_mismatch: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Chunk count mismatch' },
  too_many_parts: { status: 413, retryable: false, statusMessage: 'bad_request', title: 'Too many parts' },
  request_too_large: { status: 413, retryable: false, statusMessage: 'bad_request', title: 'Request too large' },
  part_too_large: { status: 413, retryable: false, statusMessage: 'bad_request', title: 'Part too large' },
  quota_exceeded: { status: 413, retryable: false, statusMessage: 'bad_request', title: 'Workspace quota exceeded' },
  too_many_requests: { status: 429, retryable: true, statusMessage: 'too_many_requests', title: 'Too many requests' },
  expectation_failed: { status: 417, retryable: false, statusMessage: 'bad_request', title: 'Expectation failed' },
  unprocessable: { status: 422, retryable: false, statusMessage: 'unprocessable', title: 'Unprocessable' },
  corrupt_gzip: { status: 400, retryable: false, statusMessage: 'bad_request', title: 'Corrupt gzip stream' },
  inflate_limit: { status: 413, retryable: false, statusMessage: 'bad_request', title: 'Inflated size over the limit' },
  inflate_ratio: { status: 413, retryable: false, statusMessage: 'bad_request', title: 'Inflate ratio over the limit' },
  spool_missing: {
    status: 500,
    retryable: false,
    statusMessage: 'internal_server_error',
    title: 'Spooled upload is missing',
  },
  storage_full: { status: 507, retryable: true, statusMessage: 'insufficient_storage', title: 'Storage full' },
  store_unavailable: {
    status: 503,
    retryable: true,
    statusMessage: 'service_unavailable',
    title: 'Object store unavailable',
  },
  redis_full: { status: 503, retryable: true, statusMessage: 'service_unavailable', title: 'Redis memory full' },
  redis_unavailable: { status: 503, retryable: true, statusMessage: 'service_unavailable', title: 'Redis unavailable' },
  body_too_slow: { status: 408, retryable: true, statusMessage: 'bad_request', title: 'Upload body too slow' },
  too_busy: { status: 503, retryable: true, statusMessage: 'service_unavailable', title: 'Too many uploads at once' },
  no_workers: {
    status: 503,
    retryable: true,
    statusMessage: 'service_unavailable',
    title: 'No worker serves the ingest queue',
  },
  job_failed: { status: 503, retryable: true, statusMessage: 'service_unavailable', title: 'Ingest job failed' },
  job_timeout: {
    status: 504,
    retryable: true,
    statusMessage: 'internal_server_error',
    title: 'Ingest job still running',
  },
  redis_server_missing: {
    status: 500,
    retryable: false,
    statusMessage: 'internal_server_error',
    title: 'redis-server is not installed',
  },
  data_dir_unwritable: {
    status: 500,
    retryable: false,
    statusMessage: 'internal_server_error',
    title: 'Data directory not writable',
  },
  port_in_use: { status: 500, retryable: false, statusMessage: 'internal_server_error', title: 'Port in use' },
  node_too_old: { status: 500, retryable: false, statusMessage: 'internal_server_error', title: 'Node.js too old' },
  invalid_config: {
    status: 500,
    retryable: false,
    statusMessage: 'internal_server_error',
    title: 'Invalid configuration',
  },
  not_implemented: {
    status: 501,
    retryable: false,
    statusMessage: 'not_implemented',
    title: 'Not implemented by sluice',
  },
  internal: { status: 500, retryable: true, statusMessage: 'internal_server_error', title: 'Internal Server Error' },
} as const satisfies Record<string, { status: number; retryable: boolean; statusMessage: string; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/**
 * Whether a client sending the same file again may succeed where it failed: every failure a job
 * retry may cure, and a spooled upload that vanished before its job ran (a job retry cannot bring
 * its bytes back; sending them again does). The client's resend rounds use this, not a list of
 * their own.
 */
export function worthResending(code: string): boolean {
  return code === 'spool_missing' || (isErrorCode(code) && errorCodes[code].retryable);
}
