import { errorCodes } from '@sluice/core';

/**
 * JSON Schemas of the bodies sluice sends and takes, for the OpenAPI document. They describe the
 * wire contract of ../shared/reference/oxen-api.md; the handlers keep their own checks, whose
 * messages upstream clients rely on.
 */
export type JsonSchema = Record<string, unknown>;

const string = { type: 'string' } as const;
const integer = { type: 'integer', minimum: 0 } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** Every JSON answer is the Oxen envelope with the data fields beside it. */
export function envelope(fields: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema {
  return {
    type: 'object',
    required: ['status', 'status_message', ...required],
    properties: {
      status: { type: 'string', enum: ['success', 'error'] },
      status_message: { ...string, description: 'resource_found, resource_created, … (Oxen StatusMessage)' },
      oxen_version: string,
      ...fields,
    },
  };
}

export const errorBody: JsonSchema = {
  ...envelope({
    status_description: { ...string, description: 'what went wrong, for people' },
    error: {
      type: 'object',
      required: ['type', 'title', 'detail'],
      properties: {
        type: { type: 'string', enum: Object.keys(errorCodes), description: "sluice's stable error code" },
        title: string,
        detail: string,
      },
    },
  }, ['error']),
  description: 'An error in the Oxen envelope; never a stack trace',
};

export const commit: JsonSchema = {
  type: 'object',
  required: ['id', 'message', 'author', 'email', 'parent_ids', 'timestamp'],
  properties: {
    id: string,
    message: string,
    author: string,
    email: string,
    parent_ids: { type: 'array', items: string },
    timestamp: { ...string, format: 'date-time' },
  },
};

export const repository: JsonSchema = {
  type: 'object',
  required: ['namespace', 'name'],
  properties: { namespace: string, name: string, min_version: string, storage_kind: string, repo_uuid: string },
};

export const workspace: JsonSchema = {
  type: 'object',
  required: ['id', 'commit'],
  properties: { id: string, name: nullableString, commit, created_at: string },
};

export const branch: JsonSchema = {
  type: 'object',
  required: ['name', 'commit_id'],
  properties: { name: string, commit_id: string },
};

const fileResult: JsonSchema = {
  type: 'object',
  required: ['path'],
  properties: {
    path: string,
    status: { type: 'string', enum: ['added', 'modified', 'unchanged'] },
    hash: { ...string, description: 'xxh3-128 of the content, lowercase hex without leading zeros' },
    size: integer,
    mime_type: string,
    data_type: string,
    error: { type: 'object', properties: { code: { type: 'string', enum: Object.keys(errorCodes) }, message: string } },
  },
};

export const job: JsonSchema = {
  type: 'object',
  required: ['id', 'kind', 'state'],
  properties: {
    id: string,
    kind: { type: 'string', enum: ['ingest', 'commit'] },
    state: { type: 'string', enum: ['queued', 'active', 'completed', 'failed'] },
    namespace: string,
    repo_name: string,
    workspace_id: string,
    created_at: string,
    finished_at: nullableString,
    attempts: integer,
    progress: {
      type: 'object',
      properties: { files_done: integer, files_total: integer, bytes_done: integer, bytes_total: integer },
      description: 'ingest jobs: files and bytes done of the total',
    },
    paths: { type: 'array', items: string, description: 'ingest jobs, once completed: the staged paths in request order' },
    files: { type: 'array', items: fileResult, description: 'ingest jobs, once completed: one result per file part' },
    deduplicated: { ...integer, description: 'files whose content the version store already held' },
    phase: { ...string, description: 'commit jobs: where the commit is' },
    commit: { ...commit, description: 'commit jobs, once completed' },
    error: { type: 'object', properties: { code: string, message: string } },
  },
};

export const paths = { type: 'array', items: string } as const;

/** A file or directory as the client's strict `MetadataEntry` reads it: these fields and no others. */
export const metadataEntry: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['filename', 'hash', 'is_dir', 'size', 'data_type', 'mime_type', 'extension'],
  properties: {
    filename: string, hash: string, is_dir: { type: 'boolean' }, latest_commit: { type: ['object', 'null'] }, resource: { type: ['object', 'null'] },
    size: integer, data_type: string, mime_type: string, extension: string, metadata: { type: ['object', 'null'] }, is_queryable: { type: ['boolean', 'null'] },
  },
};

/** Upstream's pagination fields. */
export const pageFields = { page_number: integer, page_size: integer, total_pages: integer, total_entries: integer };

const pageOf = (items: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { entries: { type: 'array', items }, page_number: integer, page_size: integer, total_pages: integer, total_entries: integer },
});

/** The workspace status listing (reference §5.5): staged entries by status, a page at a time. */
export const staged: JsonSchema = {
  type: 'object',
  required: ['added_files', 'modified_files', 'removed_files'],
  properties: {
    added_dirs: { type: 'object', description: 'top-level directories with staged additions, and how many' },
    added_files: pageOf({ type: 'object' }),
    modified_files: pageOf({ type: 'object' }),
    removed_files: pageOf({ type: 'object' }),
  },
};

export const multipartFiles: JsonSchema = {
  type: 'object',
  properties: {
    'file[]': {
      type: 'array',
      items: { type: 'string', format: 'binary' },
      description: 'One part per file. The filename is the path relative to {path} (UTF-8, subdirectories kept). A part sent with Content-Type application/gzip is gunzipped; any other part is stored as sent.',
    },
    file: { type: 'string', format: 'binary', description: 'Also accepted, as upstream does' },
  },
};
