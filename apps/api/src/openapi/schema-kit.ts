import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  RawServerDefault,
  RouteGenericInterface,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ErrorCode } from '@sluice/core';
import { Type, type Static, type TProperties, type TSchema, type TUnsafe } from 'typebox';
import { Envelope, ErrorBody } from '@sluice/protocol';

/**
 * One route's schema: what Fastify validates (params, querystring, headers, JSON body), what the
 * answers are (checked under SLUICE_CHECK_ANSWERS), and what the OpenAPI document says of it.
 */
export interface RouteSchema extends FastifySchema {
  operationId: string;
  summary: string;
  tags: string[];
  description?: string;
  deprecated?: boolean;
  /** The name of the `*` parameter in the document (upstream's name for it). */
  wildcard?: string;
  /**
   * What follows the wildcard in upstream's path (`/merge` of `branches/{branch_name:.*}/merge`),
   * which the router cannot put after a `*`: the route matches it by a constraint instead.
   */
  wildcardTail?: string;
  /** Request body types other than JSON, which handlers stream themselves (multipart, raw bytes). */
  consumes?: string[];
  /** What a streamed body holds: documented, never validated (Fastify does not parse it). */
  streamedBody?: TSchema;
  response: Record<number, TSchema>;
  /** The code a request the schema refuses answers with (400), by the field at fault; `bad_request` for the rest. */
  refusals?: Record<string, ErrorCode>;
}

/** The app as routes see it: request and reply types come from each route's TypeBox schema. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
/** The request of a handler shared by routes of one schema's shape (an alias and its route). */
export type RequestOf<S extends FastifySchema> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  IncomingMessage,
  S,
  TypeBoxTypeProvider
>;
/** Its reply. */
export type ReplyOf<S extends FastifySchema> = FastifyReply<
  RouteGenericInterface,
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  unknown,
  S,
  TypeBoxTypeProvider
>;

/**
 * The body a route declares for a status (200 unless named), as its handler builds it: for a helper
 * that builds the answer outside the handler, where `success()` has no answer type to check against.
 */
export type Answer<
  S extends { response: Record<number, TSchema> },
  Code extends keyof S['response'] = 200,
> = S['response'][Code] extends infer Body extends TSchema ? Static<Body> : never;

/** What a bytes answer sends: a page or text, a buffer, or a stream of the bytes. */
export type Bytes = string | Uint8Array | Readable;

/** An answer that is not JSON: file bytes, a page, metrics text. */
export function bytesAnswer(description: string, mediaType = 'application/octet-stream'): TUnsafe<Bytes> {
  return {
    description,
    content: {
      [mediaType]: {
        schema: { type: 'string', ...(mediaType === 'application/octet-stream' ? { format: 'binary' } : {}) },
      },
    },
  } as unknown as TUnsafe<Bytes>;
}

/** How the document describes each URL parameter the router names; others are described by their name. */
export const paramDescriptions: Record<string, string> = {
  namespace: 'The namespace of the repository',
  repo: 'The name of the repository',
  workspaceId: 'The id or the name of the workspace',
  hash: 'An Oxen content hash (xxh3-128, lowercase hex)',
  '*': 'A path (or a branch, or a revision then a path), `/`-separated',
};
/** A URL parameter: always a string, as the router gives it (the wildcard may be empty). */
export const param = (name: string) => Type.String({ description: paramDescriptions[name] ?? name });
/** The parameters of the repository prefix, `/api/repos/:namespace/:repo`. */
export const repoParams = { namespace: param('namespace'), repo: param('repo') };
/** The parameters of the workspace prefix below it, `…/workspaces/:workspaceId`. */
export const workspaceParams = { ...repoParams, workspaceId: param('workspaceId') };
/** The `*` that ends a URL. */
export const tailParam = { '*': param('*') };
/** A route's URL parameters, in the order the URL names them (the document lists them so). */
export const params = <T extends TProperties>(fields: T) => Type.Object(fields);

export const str = Type.String();
export const count = Type.Integer({ minimum: 0 });
export const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);
export const query = <T extends TProperties>(fields: T) => Type.Object(fields);
/**
 * A body schema built at run time from upstream's serde structs, whose static type its module
 * declares beside it: the same JSON, with that type for the handler.
 */
export const typed = <T>(schema: TSchema) => Type.Unsafe<T>(schema);
/** A success answer with these data fields; its static type is what `success()` is checked against. */
export const ok = <Fields extends TProperties = Record<never, never>>(
  fields: Fields = {} as Fields,
  description?: string,
) => Envelope(fields, description === undefined ? {} : { description });
/** A 404 (or other) error answer: the Oxen error envelope. */
export const notFound = ErrorBody;

export const asyncHeaders = {
  prefer: optional(
    Type.String({ description: 'sluice: `respond-async` answers 202 with a job to poll instead of waiting' }),
  ),
};
export const uploadHeaders = Type.Object({
  ...asyncHeaders,
  'idempotency-key': optional(
    Type.String({
      maxLength: 200,
      description: 'sluice: the same key on the same workspace returns the same job without reading the body again',
    }),
  ),
});
export const asyncQuery = query({
  async: optional(Type.String({ description: 'sluice: `true` is the same as `Prefer: respond-async`' })),
});
export const jobAccepted = <Job extends TSchema>(job: Job) =>
  ok({ job }, 'sluice: accepted; `Location` names the job to poll');
export const pageQuery = query({
  page: optional(Type.Integer({ minimum: 1 })),
  page_size: optional(Type.Integer({ minimum: 1 })),
});

/** One part per file, as the add and batch-upload routes take them. */
export const multipartFiles = Type.Object({
  'file[]': optional(
    Type.Array(Type.String({ format: 'binary' }), {
      description:
        'One part per file. The filename is the path relative to {path} (UTF-8, subdirectories kept). A part ' +
        'sent with Content-Type application/gzip is gunzipped; any other part is stored as sent.',
    }),
  ),
  file: optional(Type.String({ format: 'binary', description: 'Also accepted, as upstream does' })),
});
export const rawBytes = Type.String({ format: 'binary' });

export const repoTags = ['Repositories'];
export const wsTags = ['Workspaces'];
export const fileTags = ['Workspace Files'];
export const commitTags = ['Commits and branches'];
export const versionTags = ['Versions'];
export const sluiceTags = ['sluice'];

/** The rule every route that stages a file is held to (docs/api.md, "A file and a directory never share a path"). */
export const collisionRule =
  ' A file never shares a path with a directory: a file where the base commit or the stage has a directory, or ' +
  'under a committed or staged file (also of the same request), refuses the whole request with 409 ' +
  '`path_conflict` and stages nothing; a staged removal does not make room (swap a file and a directory over ' +
  'two commits).';
/** Files past SLUICE_WORKSPACE_MAX_FILES or bytes past SLUICE_WORKSPACE_MAX_BYTES. */
export const quotaRule =
  ' Past a workspace quota (staged removals and moves count as files) the whole request is refused with 413 ' +
  '`quota_exceeded`.';
