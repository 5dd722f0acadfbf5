import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Fixture, TokenChoice } from './fuzz-fixture.js';
import { authHeader } from './fuzz-fixture.js';
import { mutate, mutation, type Mutation } from './json-mutation.js';
import { deepNesting, oddString } from './odd-values.js';
import { wildcardParams, type Operation } from './openapi-operations.js';
import { validValue } from './schema-arbitrary.js';
import { bodyHints, liveUpload, paramValue, queryValue, type ParamValue } from './fuzz-values.js';
import type { Delivery, Framing, WireRequest } from './wire-request.js';

export interface PartPlan {
  field: string;
  filename: string | null;
  size: number;
  /** gzip the content and type it application/gzip; `corrupt` types it so but sends bytes that are not gzip. */
  gzip: boolean | 'corrupt';
}

/** What the body holds, before framing. */
export type BodyPlan =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown; mutation: Mutation | null }
  | { kind: 'text'; text: string }
  | { kind: 'multipart'; parts: PartPlan[]; defect: 'none' | 'no-close' | 'wrong-boundary' | 'no-headers' }
  | { kind: 'bytes'; size: 'expected' | 'one-less' | 'one-more' | 'zero' | '64KiB'; content: 'right' | 'wrong' };

/** One request, as generated: every choice the fuzzer made, so a failure prints all of it. */
export interface FuzzCase {
  op: string;
  method: string;
  params: Record<string, ParamValue>;
  /** Percent-encode the path parameters (else they go raw into the request line). */
  encode: boolean;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  token: TokenChoice;
  /** The Content-Type header; null sends none. */
  contentType: string | null;
  contentEncoding: 'gzip' | null;
  body: BodyPlan;
  framing: Framing;
  chunkSizes: number[];
  delivery: Delivery;
  /** For the part route: the size of the upload begun before the request, and whether it names a destination. */
  upload: { size: number; destination: boolean };
}

const otherTypes = [
  'application/json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=zzz',
  'application/octet-stream',
  'application/gzip',
  'application/json; charset=utf-16',
  '*/*',
  'garbage',
  'application/json, text/plain',
];

function bodyPlan(op: Operation, f: Fixture): fc.Arbitrary<BodyPlan> {
  const declared = op.bodyTypes[0];
  const text = fc
    .oneof(
      fc.constantFrom(
        '',
        ' ',
        '{',
        '{"a":',
        'null',
        '[]',
        '{}',
        '""',
        '1e400',
        '\ufeff{}',
        'not json',
        '{"__proto__":{"polluted":1}}',
      ),
      fc
        .constantFrom(5000, 200_000)
        .chain((depth) => fc.constantFrom(deepNesting(depth, 'array'), deepNesting(depth, 'object'))),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    .map((t): BodyPlan => ({ kind: 'text', text: t }));
  const part: fc.Arbitrary<PartPlan> = fc.record({
    field: fc.constantFrom('file[]', 'file[]', 'file', 'other'),
    filename: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('a.txt', 'x/y.txt', 'é.txt', 'n.txt') },
      { weight: 2, arbitrary: oddString },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    size: fc.constantFrom(0, 1, 10, 3000, 70_000),
    gzip: fc.constantFrom<boolean | 'corrupt'>(false, true, true, 'corrupt'),
  });
  const multipart = fc.record({
    kind: fc.constant('multipart' as const),
    parts: fc.array(part, { minLength: 1, maxLength: 4 }),
    defect: mostly(fc.constant('none' as const), fc.constantFrom('no-close', 'wrong-boundary', 'no-headers'), 8),
  }) as fc.Arbitrary<BodyPlan>;
  const bytes = fc.record({
    kind: fc.constant('bytes' as const),
    size: mostly(fc.constant('expected' as const), fc.constantFrom('one-less', 'one-more', 'zero', '64KiB'), 3),
    content: mostly(fc.constant('right' as const), fc.constant('wrong' as const), 3),
  }) as fc.Arbitrary<BodyPlan>;
  const json = op.bodySchema === undefined ? null : validValue(op.bodySchema, bodyHints(f));
  const valid = json && json.map((value): BodyPlan => ({ kind: 'json', value, mutation: null }));
  const mutated =
    json && fc.tuple(json, mutation).map(([value, m]): BodyPlan => ({ kind: 'json', value, mutation: m }));
  const empty = fc.constant<BodyPlan>({ kind: 'empty' });
  if (declared === 'application/json') {
    return fc.oneof(
      { weight: 8, arbitrary: valid! },
      { weight: 4, arbitrary: mutated! },
      { weight: 1, arbitrary: text },
      { weight: 1, arbitrary: empty },
    );
  }
  if (declared === 'multipart/form-data')
    return fc.oneof(
      { weight: 6, arbitrary: multipart },
      { weight: 1, arbitrary: text },
      { weight: 1, arbitrary: empty },
    );
  if (declared === 'application/octet-stream')
    return fc.oneof({ weight: 6, arbitrary: bytes }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: empty });
  return fc.oneof(
    { weight: 10, arbitrary: empty },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: multipart },
  );
}

const delivery: fc.Arbitrary<Delivery> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Delivery>({ kind: 'whole' }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('slow' as const),
      pieces: fc.integer({ min: 2, max: 5 }),
      pauseMs: fc.integer({ min: 10, max: 150 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut-reset' as const), keep: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut-end' as const), keep: fc.nat(999) }) },
);

/** Mostly `usual`, now and then one of `unusual`: so most cases differ from a valid request in one or two ways only. */
function mostly<T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>, odds = 10): fc.Arbitrary<T> {
  return fc.oneof({ weight: odds, arbitrary: usual }, { weight: 1, arbitrary: unusual });
}

/** Requests for one operation: valid, at the bounds, and mutated, every way of sending them. */
export function caseArbitrary(op: Operation, f: Fixture): fc.Arbitrary<FuzzCase> {
  const params = fc.record(
    Object.fromEntries(op.pathParams.map((name) => [name, paramValue(name, f)])) as Record<
      string,
      fc.Arbitrary<ParamValue>
    >,
  );
  const query = fc
    .subarray(op.query)
    .chain((chosen) => fc.tuple(...chosen.map((q) => queryValue(q.name).map((v): [string, string] => [q.name, v]))));
  const headers = fc
    .subarray(op.headers)
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((h) =>
          paramValue(h.name, f).map((v): [string, string] => [h.name, v.value.replace(/[\r\n]/g, '')]),
        ),
      ),
    );
  const declared = op.bodyTypes[0] ?? null;
  return fc.record({
    op: fc.constant(op.id),
    method: fc.constant(op.method),
    params,
    encode: mostly(fc.constant(true), fc.constant(false)),
    query,
    headers,
    token: mostly(
      fc.constant<TokenChoice>('own'),
      fc.constantFrom<TokenChoice>('other', 'other', 'reader', 'none', 'invalid'),
      4,
    ),
    contentType: mostly(fc.constant(declared), fc.oneof(fc.constantFrom(...otherTypes), fc.constant(null)), 6),
    contentEncoding: mostly(fc.constant(null), fc.constant('gzip' as const)),
    body: bodyPlan(op, f),
    framing: mostly(
      fc.constant<Framing>('length'),
      fc.constantFrom<Framing>('chunked', 'chunked', 'chunked', 'none'),
      4,
    ),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 70_000 }), { maxLength: 4 }),
    delivery,
    upload: fc.record({ size: fc.constantFrom(1, 1000, 70_000), destination: fc.boolean() }),
  });
}

/** The content a live upload is begun for (its hash declared), so `right` parts complete it. */
export function uploadContent(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251));
}

function multipartBody(plan: Extract<BodyPlan, { kind: 'multipart' }>): { body: Buffer; boundary: string } {
  const boundary = 'fuzzb0undary';
  const chunks: Buffer[] = [];
  for (const part of plan.parts) {
    const content = uploadContent(part.size);
    const filename = part.filename === null ? '' : `; filename="${part.filename.replace(/[\\"]/g, (c) => '\\' + c)}"`;
    const type = part.gzip === false ? 'application/octet-stream' : 'application/gzip';
    chunks.push(Buffer.from(`--${plan.defect === 'wrong-boundary' ? 'other' : boundary}\r\n`));
    if (plan.defect !== 'no-headers')
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${part.field}"${filename}\r\nContent-Type: ${type}\r\n`),
      );
    chunks.push(Buffer.from('\r\n'), part.gzip === true ? gzipSync(content) : content, Buffer.from('\r\n'));
  }
  if (plan.defect !== 'no-close') chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), boundary };
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // nesting too deep to stringify here: the same shape as text
    return deepNesting(10_000, 'array');
  }
}

/**
 * encodeURIComponent, but a lone surrogate goes as its WTF-8 bytes (a URL that does not decode) instead of throwing.
 */
function percentEncode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const pair =
      code >= 0xd800 && code <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (code >= 0xd800 && code <= 0xdfff && !pair) {
      out += (
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%` +
        `${(0x80 | (code & 0x3f)).toString(16)}`
      ).toUpperCase();
    } else {
      const char = pair ? value.slice(i, i + 2) : value[i]!;
      out += encodeURIComponent(char);
      if (pair) i++;
    }
  }
  return out;
}

function encodeParam(name: string, value: string, encode: boolean): string {
  if (!encode) return value;
  return wildcardParams.has(name) ? value.split('/').map(percentEncode).join('/') : percentEncode(value);
}

/** The request on the wire; `uploadId` replaces the live-upload placeholder. */
export function materialize(c: FuzzCase, op: Operation, f: Fixture, uploadId: string | null): WireRequest {
  const path = op.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = c.params[name]!;
    return param.value === liveUpload ? (uploadId ?? 'u-none') : encodeParam(name, param.value, c.encode);
  });
  const query = c.query.map(([k, v]) => `${k}=${c.encode ? percentEncode(v) : v}`).join('&');
  const headers: Array<[string, string]> = [...c.headers];
  for (const [k, v] of Object.entries(authHeader(f.tokens[c.token]))) headers.push([k, v]);
  let body: Buffer;
  let contentType = c.contentType;
  const plan = c.body;
  if (plan.kind === 'empty') body = Buffer.alloc(0);
  else if (plan.kind === 'text') body = Buffer.from(plan.text);
  else if (plan.kind === 'json')
    body = Buffer.from(jsonText(plan.mutation === null ? plan.value : mutate(plan.value, plan.mutation)));
  else if (plan.kind === 'multipart') {
    const built = multipartBody(plan);
    body = built.body;
    if (contentType === 'multipart/form-data') contentType = `multipart/form-data; boundary=${built.boundary}`;
  } else {
    const content = plan.content === 'right' ? uploadContent(c.upload.size) : Buffer.alloc(c.upload.size, 0x5a);
    body =
      plan.size === 'expected'
        ? content
        : plan.size === 'one-less'
          ? content.subarray(0, Math.max(0, content.length - 1))
          : plan.size === 'one-more'
            ? Buffer.concat([content, Buffer.from('!')])
            : plan.size === 'zero'
              ? Buffer.alloc(0)
              : Buffer.alloc(65_536, 0x61);
  }
  if (c.contentEncoding === 'gzip') {
    body = gzipSync(body);
    headers.push(['Content-Encoding', 'gzip']);
  }
  if (contentType !== null) headers.push(['Content-Type', contentType.replace(/[\r\n]/g, '')]);
  return {
    method: c.method,
    target: query === '' ? path : `${path}?${query}`,
    headers,
    body,
    framing: c.framing,
    chunkSizes: c.chunkSizes,
    delivery: c.delivery,
  };
}

/** A request as a reader wants it in a failure: the request line, headers, and the body's start. */
export function describeRequest(request: WireRequest): string {
  const target =
    request.target.length > 300 ? `${request.target.slice(0, 300)}… (${request.target.length} chars)` : request.target;
  const headers = request.headers
    .map(([k, v]) => `${k}: ${k.toLowerCase() === 'authorization' ? v.slice(0, 16) + '…' : v}`)
    .join('\n  ');
  const body =
    request.body.length > 200
      ? `${JSON.stringify(request.body.subarray(0, 200).toString('latin1'))}… (${request.body.length} bytes)`
      : JSON.stringify(request.body.toString('latin1'));
  return (
    `${request.method} ${target}\n  ${headers}\n  framing: ${request.framing}; delivery: ` +
    `${JSON.stringify(request.delivery)}\n  body: ${body}`
  );
}
