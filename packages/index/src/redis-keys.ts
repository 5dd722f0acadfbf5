/**
 * Redis key names. Every key of one repository (its branches, workspaces, staging indexes and
 * job markers) shares the hash tag `{prefix:r:ns/name}`, so multi-key scripts stay on one slot
 * of a Redis Cluster.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  private repoTag(ns: string, name: string): string {
    return `{${this.prefix}:r:${ns}/${name}}`;
  }

  repo(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:meta`;
  }
  branches(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:branches`;
  }
  workspaces(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:ws`;
  }
  workspaceNames(ns: string, name: string): string {
    return `${this.repoTag(ns, name)}:wsnames`;
  }
  staged(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:staged:${workspaceId}`;
  }
  /** Files and bytes a workspace has staged, for its quotas. */
  usage(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:usage:${workspaceId}`;
  }
  /** The stage of a workspace while a commit is being built from it. */
  stagedSnapshot(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:committing:${workspaceId}`;
  }
  /** The snapshot's paths as a sorted set, read in path order while a commit builds its tree. */
  snapshotOrder(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:committing-order:${workspaceId}`;
  }
  commitLock(ns: string, name: string, workspaceId: string): string {
    return `${this.repoTag(ns, name)}:commit-lock:${workspaceId}`;
  }
  /** The commit a commit attempt (identified by its token) landed. */
  landedCommit(ns: string, name: string, token: string): string {
    return `${this.repoTag(ns, name)}:landed:${token}`;
  }
  /** The result of an ingest job, written in the same step that stages its files. */
  jobResult(ns: string, name: string, jobId: string): string {
    return `${this.repoTag(ns, name)}:job:${jobId}`;
  }
  namespace(ns: string): string {
    return `${this.prefix}:ns:${ns}`;
  }
  /** Hashes known to be in the version store: dedup without a store request per file. */
  versions(): string {
    return `${this.prefix}:versions`;
  }
  /** What the API and a worker tell each other about a large part in flight (DigestBoard). */
  digestBoard(digestId: string): string {
    return `${this.prefix}:digest:${digestId}`;
  }
  /** Running totals of every ingest job, for the dashboard's rates. */
  ingestTotals(): string {
    return `${this.prefix}:ingest-totals`;
  }
}
