import { extensionOf, type DataType } from '@sluice/core';
import type { MetadataEntry, pageFields } from '@sluice/protocol';
import type { Static, TObject } from 'typebox';

/** What an entry view needs to know of a file or directory. */
export interface EntryFacts {
  hash: string;
  size: number;
  isDir: boolean;
  mimeType?: string | undefined;
  dataType?: DataType | 'dir' | undefined;
}

/**
 * A file or directory as the client's `MetadataEntry` reads it (docs/api.md#compatibility-with-the-stock-oxen-client):
 * exactly these fields, because that type rejects unknown ones.
 */
export function metadataEntry(filename: string, facts: EntryFacts): MetadataEntry {
  return {
    filename,
    hash: facts.hash,
    is_dir: facts.isDir,
    latest_commit: null,
    resource: null,
    size: facts.size,
    data_type: facts.isDir ? 'dir' : (facts.dataType ?? 'binary'),
    mime_type: facts.isDir ? 'inode/directory' : (facts.mimeType ?? 'application/octet-stream'),
    extension: facts.isDir ? '' : extensionOf(filename),
    metadata: null,
    is_queryable: null,
  };
}

/** Upstream's pagination fields, as `pageFields` declares them. */
export type PageFields = Static<TObject<typeof pageFields>>;

/** Upstream's pagination fields for `total` items, and the slice of them one page shows. */
export function pagination(
  total: number,
  pageNumber: number,
  pageSize: number,
): { start: number; end: number; fields: PageFields } {
  const start = (pageNumber - 1) * pageSize;
  return {
    start,
    end: start + pageSize,
    fields: {
      page_size: pageSize,
      page_number: pageNumber,
      total_pages: Math.ceil(total / pageSize),
      total_entries: total,
    },
  };
}
