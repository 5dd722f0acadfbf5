import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.js';
import {
  assertBranchName,
  assertRepoName,
  fileUnderFile,
  normalizeRelativePath,
  oxenHash,
  sniffMime,
  SluiceError,
  type Commit,
  type Repository,
} from '@sluice/core';
import { versionKey, type BlobStore } from '@sluice/storage';
import type { ObjectStore, TreeChange } from './object-store.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { VersionIndex } from '../versions/version-index.js';
import { luaCommands, type LuaCommands } from '../redis/lua-commands.js';

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
/** A revision resolved inside its repository: the commit, the branch it named (if any), the rest of the path. */
export interface ResolvedRevision {
  commit: Commit;
  branch: Branch | null;
  /** The revision as the caller wrote it: a branch name or a commit id. */
  revision: string;
  path: string;
}

const commitIdPattern = /^[0-9a-f]{1,32}$/;
const validRepoName = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/;
const isRepoName = (value: string) => value.length <= 128 && validRepoName.test(value);

export class RepoStore {
  private readonly lua: LuaCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly objects: ObjectStore,
    private readonly store: BlobStore,
    private readonly versions: VersionIndex,
  ) {
    this.lua = luaCommands(redis);
  }

  /**
   * Creates a repository, with an "Initial commit" of `files` when given: every file is checked
   * before anything is written, and the repository, its branch and commit appear in one step,
   * so a refused request leaves nothing (its retry is not told the repository exists).
   */
  async create(
    namespace: string,
    name: string,
    files: readonly InitialFile[] = [],
  ): Promise<{ repo: Repository; latestCommit: Commit | null }> {
    assertRepoName(namespace);
    assertRepoName(name);
    const paths = files.map((file) => normalizeRelativePath(file.path));
    // two contents at one path: neither silently wins
    const seen = new Set<string>();
    const twice = paths.find((path) => seen.size === seen.add(path).size);
    if (twice !== undefined) {
      throw new SluiceError(
        'path_conflict',
        `cannot create the repository with two files at ${twice}; nothing was created`,
        { fields: { path: twice } },
      );
    }
    const under = fileUnderFile(paths);
    if (under !== null) {
      throw new SluiceError(
        'path_conflict',
        `cannot create the repository with a file at ${under.path}: ` +
          `${under.file} is one of its files; nothing was created`,
        { fields: { path: under.path } },
      );
    }
    if (await this.get(namespace, name))
      throw new SluiceError('repo_exists', `Repository '${namespace}/${name}' already exists`);
    const repo: Repository = { namespace, name, uuid: randomUUID(), createdAt: new Date().toISOString() };
    const initial = files.length > 0 ? await this.writeInitialCommit(files, paths) : null;
    const created = await this.lua.createRepo(
      [
        this.keys.repo(namespace, name),
        this.keys.branches(namespace, name),
        this.keys.commits(namespace, name),
        this.keys.content(namespace, name),
        this.keys.erasing(namespace, name),
      ],
      [JSON.stringify(repo), initial?.commit.id ?? '', ...(initial?.hashes ?? [])],
    );
    if (created === -1) {
      throw new SluiceError(
        'repo_being_deleted',
        `Repository '${namespace}/${name}' is still being deleted; try again (send DELETE again if this lasts)`,
      );
    }
    if (created === 0) throw new SluiceError('repo_exists', `Repository '${namespace}/${name}' already exists`);
    await this.redis.sadd(this.keys.namespace(namespace), name);
    return { repo, latestCommit: initial?.commit ?? null };
  }

  /** Stores the initial files and their tree and commit; nothing refers to them until the repository is created. */
  private async writeInitialCommit(
    files: readonly InitialFile[],
    paths: readonly string[],
  ): Promise<{ commit: Commit; hashes: string[] }> {
    const changes = new Map<string, TreeChange>();
    const contents = new Map<string, Buffer>();
    for (const [i, file] of files.entries()) {
      const content = Buffer.from(file.contents, 'utf8');
      const hash = await oxenHash(content);
      contents.set(hash, content);
      changes.set(paths[i]!, { hash, size: content.length, ...sniffMime(content.subarray(0, 4096), paths[i]!) });
    }
    const hashes = [...contents.keys()];
    // content the store holds already (packed, perhaps) is not written again
    const missing = [...(await this.versions.missing(hashes))];
    for (const hash of missing) await this.store.put(versionKey(hash), contents.get(hash)!);
    await this.versions.markStored(missing);
    const sorted = [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const root = await this.objects.buildTree(
      await this.objects.emptyTree(),
      (async function* () {
        yield* sorted;
      })(),
    );
    const user = files[0]?.user;
    const commit = await this.objects.putCommit({
      parent_ids: [],
      message: 'Initial commit',
      author: user?.name ?? 'Oxen',
      email: user?.email ?? 'oxen@oxen.ai',
      timestamp: new Date().toISOString(),
      root,
    });
    return { commit, hashes };
  }

  /** The repository, or null; a name that breaks the naming rule names no repository and touches no key. */
  async get(namespace: string, name: string): Promise<Repository | null> {
    if (!isRepoName(namespace) || !isRepoName(name)) return null;
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
    if (!isRepoName(namespace)) return [];
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

  /** A commit of this repository by id; another repository's commit (or a tree hash) is not found. */
  async requireCommit(namespace: string, name: string, id: string): Promise<Commit> {
    if (!commitIdPattern.test(id) || (await this.redis.sismember(this.keys.commits(namespace, name), id)) === 0) {
      throw new SluiceError('resource_not_found', `Commit not found: ${id}`);
    }
    return this.objects.getCommit(id);
  }

  /**
   * Creates a branch at one of the repository's commits; false (and nothing changed) when the
   * name exists. The name follows the one branch rule.
   */
  async createBranch(namespace: string, name: string, branch: string, commitId: string): Promise<boolean> {
    assertBranchName(branch);
    const created = await this.lua.createBranch(
      [this.keys.branches(namespace, name), this.keys.commits(namespace, name)],
      [branch, commitId, '0'],
    );
    if (created === -1) throw new SluiceError('resource_not_found', `Commit not found: ${commitId}`);
    return created === 1;
  }

  /** Moves an existing branch to one of the repository's commits. */
  async moveBranch(namespace: string, name: string, branch: string, commitId: string): Promise<void> {
    await this.requireCommit(namespace, name, commitId);
    const key = this.keys.branches(namespace, name);
    if ((await this.redis.hget(key, branch)) === null)
      throw new SluiceError('branch_not_found', `Could not find branch: ${branch}`);
    await this.redis.hset(key, branch, commitId);
  }

  /**
   * Deletes a branch and answers it as it was; `branch_not_found` when there is none and
   * `branch_protected` for `main` or the last branch (delete-branch-1.lua), nothing changed either way.
   * Commits stay (other branches, workspaces and commit ids may name them).
   */
  async deleteBranch(namespace: string, name: string, branch: string): Promise<Branch> {
    const [outcome, detail] = await this.lua.deleteBranch([this.keys.branches(namespace, name)], [branch]);
    if (outcome === 0) throw new SluiceError('branch_not_found', `Could not find branch: ${branch}`);
    if (outcome === -1) {
      const why = detail === 'main' ? 'it is the default branch' : "it is the repository's only branch";
      throw new SluiceError('branch_protected', `Branch '${branch}' may not be deleted: ${why}`);
    }
    return { name: branch, commit_id: detail! };
  }

  /**
   * A revision path `{revision}/{path}` resolved inside the repository: the longest branch name
   * that prefixes it (branch names may hold slashes), else a commit id of this repository.
   */
  async resolveRevision(namespace: string, name: string, rest: string): Promise<ResolvedRevision> {
    const segments = rest.split('/');
    for (let n = segments.length; n >= 1; n--) {
      const branchName = segments.slice(0, n).join('/');
      const head = await this.branchHead(namespace, name, branchName);
      if (head !== null) {
        return {
          commit: await this.objects.getCommit(head),
          branch: { name: branchName, commit_id: head },
          revision: branchName,
          path: segments.slice(n).join('/'),
        };
      }
    }
    const id = segments[0] ?? '';
    return {
      commit: await this.requireCommit(namespace, name, id),
      branch: null,
      revision: id,
      path: segments.slice(1).join('/'),
    };
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
    // The first branch of an empty repository follows the same rule as every other branch.
    assertBranchName(branch);
    const commit = await this.objects.putCommit({
      parent_ids: [],
      message: 'Initialized Repo 🐂',
      author: 'Oxen',
      email: 'oxen@oxen.ai',
      timestamp: new Date().toISOString(),
      root: await this.objects.emptyTree(),
    });
    // Two creators may race: the first ref written wins and both use it.
    await this.lua.createBranch([key, this.keys.commits(namespace, name)], [branch, commit.id, '1']);
    return (await this.redis.hget(key, branch)) ?? commit.id;
  }

  /** Whether the repository references each of `hashes` (see RedisKeys.content). */
  async referencedContent(namespace: string, name: string, hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const present = await this.redis.smismember(this.keys.content(namespace, name), hashes.slice());
    return new Set(hashes.filter((_, i) => present[i] === 1));
  }

  /** Records content whose bytes reached this repository (an upload that stored but staged nothing). */
  async referenceContent(namespace: string, name: string, hashes: readonly string[]): Promise<void> {
    if (hashes.length > 0) await this.redis.sadd(this.keys.content(namespace, name), hashes.slice());
  }
}
