import { Type, type Static, type TSchema } from 'typebox';

const count = Type.Integer({ minimum: 0 });

/** Upstream's `EntryDataType`, lowercase: `dir` for a directory, the sniffed type of a file. */
export const EntryDataType = Type.Enum(['dir', 'text', 'image', 'video', 'audio', 'tabular', 'binary']);

/** A file or directory as the client's strict `MetadataEntry` reads it: these fields and no others. */
export const MetadataEntry = Type.Object(
  {
    filename: Type.String(),
    hash: Type.String(),
    is_dir: Type.Boolean(),
    latest_commit: Type.Null(),
    resource: Type.Null(),
    size: count,
    data_type: EntryDataType,
    mime_type: Type.String(),
    extension: Type.String(),
    metadata: Type.Null(),
    is_queryable: Type.Null(),
  },
  { additionalProperties: false },
);
export type MetadataEntry = Static<typeof MetadataEntry>;

/** Upstream's pagination fields. */
export const pageFields = {
  page_number: Type.Integer({ minimum: 1 }),
  page_size: Type.Integer({ minimum: 1 }),
  total_pages: count,
  total_entries: count,
};

/** One page of staged entries of one status, in upstream's paginated-directory shape. */
const stagedPage = Type.Object(
  {
    dir: Type.Null(),
    entries: Type.Array(MetadataEntry),
    resource: Type.Null(),
    metadata: Type.Null(),
    ...pageFields,
  },
  { additionalProperties: false },
);

const dirSummary = Type.Object({
  path: Type.String(),
  num_files_staged: count,
  total_files: count,
  status: Type.Literal('Added'),
});

/** The workspace status listing (docs/architecture.md#the-stage): staged entries by status, a page at a time. */
export const StagedChanges = Type.Object(
  {
    added_dirs: Type.Object({
      num_files_staged: count,
      total_files: count,
      paths: Type.Record(Type.String(), Type.Array(dirSummary), {
        description: 'top-level directories with staged additions, and how many',
      }),
    }),
    added_files: stagedPage,
    modified_files: stagedPage,
    removed_files: stagedPage,
  },
  { additionalProperties: false },
);
export type StagedChanges = Static<typeof StagedChanges>;

/** A list of paths, in request order. */
export const PathList = Type.Array(Type.String());

/** Anything: where the answer is another tool's (BullMQ's counts) and sluice does not shape it. */
export const Opaque: TSchema = Type.Object({});
