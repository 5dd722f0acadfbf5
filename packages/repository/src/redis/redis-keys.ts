/**
 * An id that the caller chose (workspace id, job id, token) as it stands inside a key: the key
 * separator, the hash-tag braces and the escape character itself are percent-encoded, so no id
 * can end one key and start another (`x}:meta` stays inside its own key). Ids without those
 * characters are unchanged, so keys written before this encoding stay valid.
 */
export function keySegment(id: string): string {
  return id.replace(/[%:{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const contentHash = /^[0-9a-f]{32}$/;

/** The bucket a content hash falls in: its first four hex digits (65,536 buckets), or `other`. */
function contentBucketName(hash: string): string {
  return contentHash.test(hash) ? hash.slice(0, 4) : 'other';
}

/**
 * Redis key names. Every key of one repository (its branches, workspaces, staging indexes and
 * job markers) shares the hash tag `{prefix:r:ns/name}`, so multi-key scripts stay on one slot
 * of a Redis Cluster. Namespaces and repository names reach here only once validated (they
 * cannot hold `:` or braces); every other id goes through keySegment.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  private repoTag(ns: string, name: string): string {
    return `{${this.prefix}:r:${ns}/${name}}`;
  }

  repo(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:meta`;
  }
  /**
   * Set while a deletion removes the repository's keys (repo-eraser.ts): the name cannot be
   * created again until every key of the old repository is gone.
   */
  erasing(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:erasing`;
  }
  /** A glob that matches every key of the repository and no other repository's. */
  repoPattern(ns: string, name: string): string {
    return `${this.repoTag(ns, name).replace(/[*?[\]\\]/g, (c) => `\\${c}`)}:*`;
  }
  branches(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:branches`;
  }
  /** Ids of every commit this repository made: a commit id resolves only inside its repository. */
  commits(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:commits`;
  }
  /**
   * Content hashes this repository references (staged, committed or uploaded to it): the right
   * to stage content by hash alone, which is never granted for another repository's content.
   */
  content(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:content`;
  }
  /**
   * The token of the latest chunk sent for `hash` through the chunked /versions route: a
   * completion after new chunks arrived is a new job, never the replay of an earlier one.
   */
  chunkUpload(ns: string, name: string, hash: string): string {
    return `${this.repoTag(ns, name)}:chunks:${keySegment(hash)}`;
  }
  workspaces(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:ws`;
  }
  workspaceNames(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:wsnames`;
  }
  staged(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:staged:${keySegment(workspaceId)}`;
  }
  /** How many staged files each directory of a workspace's stage holds (redis/staged-dirs.lua). */
  stagedDirs(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:staged-dirs:${keySegment(workspaceId)}`;
  }
  /** The same counts of the stage snapshot a commit is being built from. */
  snapshotDirs(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:committing-dirs:${keySegment(workspaceId)}`;
  }
  /** Files and bytes a workspace has staged, for its quotas. */
  usage(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:usage:${keySegment(workspaceId)}`;
  }
  /** The stage of a workspace while a commit is being built from it. */
  stagedSnapshot(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:committing:${keySegment(workspaceId)}`;
  }
  commitLock(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:commit-lock:${keySegment(workspaceId)}`;
  }
  /** The commit a commit attempt (identified by its token) landed. */
  landedCommit(ns: string, name: string, token: string): string {
    return `${this.repoTag(ns, name)}:landed:${keySegment(token)}`;
  }
  /** The result of an ingest job, written in the same step that stages its files. */
  jobResult(ns: string, name: string, jobId: string): string {
    return `${this.repoTag(ns, name)}:job:${keySegment(jobId)}`;
  }
  namespace(ns: string): string {
    return `${this.prefix}:ns:${ns}`;
  }
  /**
   * The bucket of content hashes sharing `hash`'s first four hex digits (content-buckets.ts): one
   * Redis hash per bucket, each its own hash tag, so a cluster spreads them over every master and
   * each stays small enough for Redis's compact encoding. A hash of another form (never written
   * by sluice, which hashes to 32 lowercase hex digits) falls in the bucket `other`.
   */
  contentBucket(hash: string): string {
    return `{${this.prefix}:c:${contentBucketName(hash)}}:versions`;
  }
  /** A glob that matches every content bucket and no other key. */
  contentBucketPattern(): string {
    return `{${this.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}:c:*}:versions`;
  }
  /** The set of stored hashes before content buckets: read until migrated (legacy-content.ts). */
  legacyVersions(): string {
    return `${this.prefix}:versions`;
  }
  /** The hash of packed locations before content buckets: read until migrated (legacy-content.ts). */
  legacyPacked(): string {
    return `${this.prefix}:packed`;
  }
  /** Packs being written, by when they were begun: what a writer that died leaves for the sweeper. */
  packsUnrecorded(): string {
    return `${this.prefix}:packs-unrecorded`;
  }
  /** What the API and a worker tell each other about a large part in flight (DigestBoard). */
  digestBoard(digestId: string): string {
    return `${this.prefix}:digest:${keySegment(digestId)}`;
  }
  /** A board's signals to one side (DigestBoard.waiter): a short list a blocking pop waits on. */
  digestSignal(digestId: string, to: 'digest' | 'ingest'): string {
    return `${this.digestBoard(digestId)}:to-${to}`;
  }
  /** Running totals of every ingest job, for the dashboard's rates. */
  ingestTotals(): string {
    return `${this.prefix}:ingest-totals`;
  }
}
