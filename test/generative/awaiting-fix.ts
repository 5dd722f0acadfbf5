import type { FuzzCase } from './fuzz-case.js';

/**
 * A defect the fuzzer found, kept as a named case. While its fix is awaited (`awaitingFix`) the
 * fuzzer steers around the requests that can hit it (`steer`: for defects that take sluice down)
 * or lets pass the violations it explains (`explains`), so the suite stays green and its case is
 * skipped with the reason. Once the fix lands the entry moves to `regressions`, whose cases always
 * run, and the fuzzer holds that region to every invariant again.
 */
export interface KnownDefect {
  name: string;
  /** Where it is tracked and who fixes it. */
  reason: string;
  steer?(c: FuzzCase): boolean;
  explains?(problem: string, c: FuzzCase): boolean;
  /** A shrunk case that shows it. */
  example: FuzzCase;
}

const alphaRepo = { namespace: { value: 'alpha', odd: false }, repo_name: { value: 'mine', odd: false } };
const plain = {
  encode: true,
  query: [],
  headers: [],
  contentEncoding: null,
  framing: 'length',
  chunkSizes: [],
  delivery: { kind: 'whole' },
  upload: { size: 1, destination: false },
} as const satisfies Partial<FuzzCase>;

export const awaitingFix: KnownDefect[] = [];

export const regressions: KnownDefect[] = [
  {
    name: 'a chunked part longer than its size ended the process (issue 26 item 1)',
    reason: 'fixed by i26-streams in a7fd187',
    example: {
      ...plain,
      op: 'upload_version_part',
      method: 'PUT',
      token: 'own',
      contentType: 'application/octet-stream',
      framing: 'chunked',
      params: {
        ...alphaRepo,
        upload_id: { value: '<live-upload>', odd: false },
        part_number: { value: '1', odd: false },
      },
      body: { kind: 'bytes', size: '64KiB', content: 'right' },
      upload: { size: 1000, destination: false },
    },
  },
  {
    name: 'a part cut mid-body kept its claim, so every resend was 429 (issue 26 item 2)',
    reason: 'fixed by i26-streams in a7fd187',
    example: {
      ...plain,
      op: 'upload_version_part',
      method: 'PUT',
      token: 'own',
      contentType: 'application/octet-stream',
      params: {
        ...alphaRepo,
        upload_id: { value: '<live-upload>', odd: false },
        part_number: { value: '1', odd: false },
      },
      body: { kind: 'bytes', size: 'expected', content: 'right' },
      delivery: { kind: 'cut-end', keep: 293 },
      upload: { size: 1000, destination: false },
    },
  },
  {
    name:
      'a refusal answered before the body was read was lost to the client (EPIPE), ' +
      'e.g. a JSON body past the limit (issue 26 item 3)',
    reason: 'fixed by i26-streams in a7fd187',
    example: {
      ...plain,
      op: 'complete_chunked_upload',
      method: 'POST',
      token: 'own',
      contentType: 'application/json',
      params: { ...alphaRepo, hash: { value: 'ffa1fb279950fa65fca67bc296ca87e4', odd: false } },
      body: {
        kind: 'json',
        value: { files: [{ hash: 'x', file_name: 'a.txt', dst_dir: 'd', num_chunks: 1_000_000, upload_results: [] }] },
        mutation: { kind: 'huge-list', at: 1, length: 50_000 },
      },
    },
  },
  {
    name: 'a body is read and validated before authorization (issue 26 item 12)',
    reason: 'fixed by i26-tenancy in 606c926',
    example: {
      ...plain,
      op: 'batch_upload',
      method: 'POST',
      params: alphaRepo,
      token: 'other',
      contentType: 'application/json',
      body: { kind: 'empty' },
    },
  },
  {
    name: 'a multipart upload refused 409 path_conflict had stored its new content first (issue 26, seed 474933811)',
    reason: 'fixed: the worker checks where the files go before it reads the spool',
    example: {
      ...plain,
      op: 'add',
      method: 'POST',
      token: 'own',
      contentType: 'multipart/form-data',
      params: { ...alphaRepo, workspace_id: { value: 'wa', odd: false }, path: { value: 'p', odd: false } },
      body: {
        kind: 'multipart',
        defect: 'none',
        // sizes the fuzzer never draws, so the content is new to the store whatever ran before
        parts: [
          { field: 'file[]', filename: 'x', size: 1234, gzip: false },
          { field: 'file[]', filename: 'x/y.txt', size: 4321, gzip: true },
        ],
      },
    },
  },
  {
    name: 'an upload of a file under a staged file stored its new content before staging refused it (issue 26)',
    reason: 'fixed: the worker asks the stage, changing nothing, before it reads the spool',
    example: {
      ...plain,
      op: 'add',
      method: 'POST',
      token: 'own',
      contentType: 'multipart/form-data',
      params: { ...alphaRepo, workspace_id: { value: 'wa', odd: false }, path: { value: 's', odd: false } },
      body: {
        kind: 'multipart',
        defect: 'none',
        parts: [{ field: 'file[]', filename: 'staged.txt/under', size: 2345, gzip: false }],
      },
    },
  },
  {
    name:
      'a repository created with a file under another of its ' +
      'files wrote their content first (issue 26, seed 1585796060)',
    reason: "fixed: the initial files' paths are checked before any content is written",
    example: {
      ...plain,
      op: 'create_repo',
      method: 'POST',
      token: 'own',
      contentType: 'application/json',
      params: {},
      body: {
        kind: 'json',
        mutation: null,
        value: {
          namespace: 'alpha',
          name: 'collide',
          files: [
            { path: 'x', contents: 'first of issue 26' },
            { path: 'x/y', contents: 'second of issue 26' },
          ],
        },
      },
    },
  },
  {
    name:
      'a synchronous commit refused by its job (422 NoChanges, 409 behind, 404 no such branch) left ' +
      'that failed job in the commit queue: the refusal changed Redis',
    reason: 'fixed in 22362d5: the request that answers the refusal removes the job first',
    example: {
      ...plain,
      op: 'commit',
      method: 'POST',
      token: 'own',
      contentType: 'application/json',
      params: {
        ...alphaRepo,
        workspace_id: { value: 'wa', odd: false },
        branch: { value: 'b-new', odd: false },
      },
      body: { kind: 'json', value: { message: '', author: '', email: '..' }, mutation: null },
    },
  },
];
