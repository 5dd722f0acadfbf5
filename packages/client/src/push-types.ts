import type { GzipMode } from './gzip-choice.js';
import type { Commit } from './sluice-client.js';
import type { Remote } from './remote.js';

export interface PushOptions {
  remote: Remote;
  token?: string;
  inputs: string[];
  branch: string;
  /** Directory in the repository the inputs go under ('' for the root). */
  dst: string;
  /** A named workspace (kept after its commit); by default one derived from the push, so a rerun resumes it. */
  workspace?: string;
  /** gitignore patterns left out of the directories pushed, besides `.git/` and each one's `.sluiceignore`. */
  exclude?: string[];
  /** Whether `.gitignore` files count besides `.sluiceignore` (default yes; `--no-gitignore` turns it off). */
  gitignore?: boolean;
  commit: boolean;
  message: { message?: string; author: string; email: string };
  /** Ask sluice to answer uploads at once with a job (stock Oxen servers answer 200 anyway). */
  async: boolean;
  concurrency: number;
  /** Uncompressed bytes and files per upload request. */
  batchBytes: number;
  batchFiles: number;
  /** Files of at least this size go through the chunked route, in chunks of this size. */
  chunkSize: number;
  /** How long (ms) a request the server cannot serve keeps being sent again (default: five tries, about 8 s). */
  retryForMs?: number;
  /** Whether small files travel gzipped (default `auto`: not to a server on this machine). */
  gzip?: GzipMode;
  onProgress?: (progress: PushProgress) => void;
}

export interface PushProgress {
  phase: 'scanning' | 'hashing' | 'comparing' | 'uploading' | 'committing' | 'done';
  filesTotal: number;
  bytesTotal: number;
  /** Bytes of the files that need sending (known once compared with the server). */
  bytesToSend: number;
  /** Hashed locally (phase hashing). */
  filesHashed: number;
  /** Sent to the server (request bodies acknowledged, or chunks accepted). */
  filesSent: number;
  bytesSent: number;
  /** Server side: spooled (upload acknowledged), hashed (job progress), staged (job done). */
  spooled: number;
  hashed: number;
  staged: number;
  skipped: number;
  /** Staged by hash: the server had the content, no bytes sent (sluice only). */
  byHash: number;
  failed: number;
  /** A word on what the push is waiting for (the server away, busy), shown once with the progress. */
  notice?: string | null;
}

export interface PushSummary {
  workspaceId: string;
  files: number;
  /** Files the ignore rules left out (a directory left out counts its files; `.git/` is not counted). */
  ignored: number;
  /** Already staged with the same content, or identical to the branch: not sent. */
  skipped: number;
  sent: number;
  staged: number;
  /** Sent files whose content the server already held (sluice reports it). */
  deduplicated: number;
  /** Staged by content hash without sending the bytes: the server already held them (sluice only). */
  stagedByHash: number;
  failed: Array<{ path: string; reason: string }>;
  bytesSent: number;
  seconds: number;
  commit: Commit | null;
  /** Why there is no commit when none was made. */
  commitNote: string | null;
}
