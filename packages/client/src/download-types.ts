import type { GzipMode } from './gzip-choice.js';
import type { Remote } from './remote.js';

export interface DownloadOptions {
  remote: Remote;
  token?: string;
  /** A directory or a file of the repository ('' for all of it). */
  path: string;
  /** A branch or a commit id. */
  revision: string;
  /** Where the files go; by default a directory named after the path (the repository for ''), or `.` for a file. */
  to?: string;
  gzip?: GzipMode;
  /** How long (ms) a cut or refused transfer keeps being resumed from its last whole file (default 30 s). */
  retryForMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadProgress {
  phase: 'comparing' | 'downloading' | 'done';
  /** Files to fetch, known once compared (null while unknown: a download into an empty directory). */
  filesToFetch: number | null;
  fetched: number;
  skipped: number;
  failed: number;
  bytesFetched: number;
  /** The bytes under the path at the revision. */
  bytesTotal: number;
  notice?: string | null;
}

export interface DownloadSummary {
  commit: string;
  to: string;
  /** Files fetched, verified and written. */
  fetched: number;
  /** Files already here with the same content (hashed): not fetched. */
  skipped: number;
  /** Files whose hash was checked: every fetched and every skipped one. */
  verified: number;
  failed: Array<{ path: string; reason: string }>;
  bytesFetched: number;
  /** Archive requests made (a resumed cut and each run of missing files are one each). */
  requests: number;
  seconds: number;
}
