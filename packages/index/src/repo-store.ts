import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import { assertRepoName, normalizeRelativePath, oxenHash, sniffMime, SluiceError, type Commit, type Repository } from '@sluice/core';
import { versionKey, type BlobStore } from '@sluice/storage';
import type { ObjectStore, TreeChange } from './object-store.js';
import type { RedisKeys } from './redis-keys.js';
import type { VersionIndex } from './version-index.js';

export interface Branch {
  name: string;
  commit_id: string;
}

/** A file given with a new repository (upstream's `RepoNew.files`): committed as "Initial commit". */
export interface InitialFile {
  path: string;
  contents: string;
  user?: { name?: string; email?: string } | null;
}

/** Repositories and their branch refs on Redis. */
export class RepoStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly objects: ObjectStore,
    private readonly store: BlobStore,
    private readonly versions: VersionIndex,
  ) {}

  async create(namespace: string, name: string, files: readonly InitialFile[] = []): Promise<{ repo: Repository; latestCommit: Commit | null }> {
    assertRepoName(namespace);
    assertRepoName(name);
    const repo: Repository = { namespace, name, uuid: randomUUID(), createdAt: new Date().toISOString() };
    const created = await this.redis.hsetnx(this.keys.repo(namespace, name), 'json', JSON.stringify(repo));
    if (created === 0) throw new SluiceError('repo_exists', `Repository '${namespace}/${name}' already exists`);
    await this.redis.sadd(this.keys.namespace(namespace), name);
    let latestCommit: Commit | null = null;
    if (files.length > 0) latestCommit = await this.commitInitialFiles(repo, files);
    return { repo, latestCommit };
  }

  private async commitInitialFiles(repo: Repository, files: readonly InitialFile[]): Promise<Commit> {
    const changes = new Map<string, TreeChange>();
    for (const file of files) {
      const path = normalizeRelativePath(file.path);
      const content = Buffer.from(file.contents, 'utf8');
      const hash = await oxenHash(content);
      await this.store.put(versionKey(hash), content);
      await this.versions.markStored([hash]);
      changes.set(path, { hash, size: content.length, ...sniffMime(content.subarray(0, 4096), path) });
    }
    const sorted = [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const root = await this.objects.buildTree(await this.objects.emptyTree(), (async function* () {
      yield* sorted;
    })());
    const user = files[0]?.user;
    const commit = await this.objects.putCommit({
      parent_ids: [], message: 'Initial commit', author: user?.name ?? 'Oxen', email: user?.email ?? 'oxen@oxen.ai',
      timestamp: new Date().toISOString(), root,
    });
    await this.redis.hset(this.keys.branches(repo.namespace, repo.name), 'main', commit.id);
    return commit;
  }

  async get(namespace: string, name: string): Promise<Repository | null> {
    const json = await this.redis.hget(this.keys.repo(namespace, name), 'json');
    return json === null ? null : (JSON.parse(json) as Repository);
  }

  /** The repository, or upstream's 404 "Repository 'ns/name' not found". */
  async require(namespace: string, name: string): Promise<Repository> {
    const repo = await this.get(namespace, name);
    if (repo === null) throw new SluiceError('repo_not_found', `Repository '${namespace}/${name}' not found`);
    return repo;
  }

  async list(namespace: string): Promise<Repository[]> {
    const names = (await this.redis.smembers(this.keys.namespace(namespace))).sort();
    const repos = await Promise.all(names.map((name) => this.get(namespace, name)));
    return repos.filter((repo): repo is Repository => repo !== null);
  }

  async branches(namespace: string, name: string): Promise<Branch[]> {
    const all = await this.redis.hgetall(this.keys.branches(namespace, name));
    return Object.entries(all)
      .map(([branch, commitId]) => ({ name: branch, commit_id: commitId }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async branchHead(namespace: string, name: string, branch: string): Promise<string | null> {
    return this.redis.hget(this.keys.branches(namespace, name), branch);
  }

  /** Creates a branch at a commit; false (and nothing changed) when the name exists. */
  async createBranch(namespace: string, name: string, branch: string, commitId: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.branches(namespace, name), branch, commitId)) === 1;
  }

  /**
   * The head of `branch`, creating it with upstream's initial empty commit when the repository has
   * no commit at all; on a repository with commits a missing branch is upstream's 400.
   */
  async headOrInitialize(namespace: string, name: string, branch: string): Promise<string> {
    const key = this.keys.branches(namespace, name);
    const head = await this.redis.hget(key, branch);
    if (head !== null) return head;
    if ((await this.redis.hlen(key)) > 0) {
      // A concurrent first workspace may have just initialized this very branch.
      const created = await this.redis.hget(key, branch);
      if (created !== null) return created;
      throw new SluiceError('branch_required', `Branch not found: ${branch}`, {
        statusMessage: `Branch not found: ${branch}. For non-empty repositories, create the branch first.`,
      });
    }
    const commit = await this.objects.putCommit({
      parent_ids: [], message: 'Initialized Repo 🐂', author: 'Oxen', email: 'oxen@oxen.ai',
      timestamp: new Date().toISOString(), root: await this.objects.emptyTree(),
    });
    // Two creators may race: the first ref written wins and both use it.
    await this.redis.hsetnx(key, branch, commit.id);
    return (await this.redis.hget(key, branch)) ?? commit.id;
  }
}
