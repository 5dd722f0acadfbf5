import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** What a push leaves out of a directory it walks, at any depth, besides what the ignore files say. */
const alwaysIgnored = ['.git/'];

/** The rules of one directory, matched against paths relative to it. */
interface Level {
  dir: string;
  rules: Ignore;
}

const read = (path: string) => readFile(path, 'utf8').catch(() => '');
const toPosix = (path: string) => (sep === '/' ? path : path.split(sep).join('/'));

/**
 * Which files a push leaves out, as git decides (gitignore syntax through the `ignore` package,
 * which follows git's matching: anchoring, `**`, trailing `/`, negation, escapes): the
 * `.gitignore` and `.sluiceignore` of every directory walked, the `.gitignore` files of the
 * directories above the pushed one up to its git work tree's top (and `.git/info/exclude`
 * there), `--exclude` patterns, and `.git/` everywhere. A deeper directory's file outranks a
 * shallower one's, `.sluiceignore` outranks `.gitignore` beside it (so `!data/` in it sends what
 * git ignores), and `--exclude` outranks them all. Immutable: `enter` returns the rules of a
 * subdirectory.
 */
export class IgnoreRules {
  private constructor(
    private readonly command: Level,
    /** Deepest last. */
    private readonly levels: readonly Level[],
    private readonly gitignore: boolean,
  ) {}

  /** The rules at the top of a pushed directory. */
  static async forInput(
    dir: string,
    options: { exclude: readonly string[]; gitignore: boolean },
  ): Promise<IgnoreRules> {
    const command = {
      dir,
      rules: ignore()
        .add(alwaysIgnored)
        .add([...options.exclude]),
    };
    const above = options.gitignore ? await gitLevelsAbove(dir) : [];
    return new IgnoreRules(command, above, options.gitignore).enter(dir);
  }

  /** The rules inside `dir` (a directory this walk did not leave out): its own ignore files added. */
  async enter(dir: string): Promise<IgnoreRules> {
    const [git, sluice] = await Promise.all([
      this.gitignore ? read(join(dir, '.gitignore')) : '',
      read(join(dir, '.sluiceignore')),
    ]);
    if (git === '' && sluice === '') return this;
    return new IgnoreRules(
      this.command,
      [...this.levels, { dir, rules: ignore().add(git).add(sluice) }],
      this.gitignore,
    );
  }

  /** Whether the file or directory at `absolute` is left out. */
  ignores(absolute: string, isDir: boolean): boolean {
    for (const level of [this.command, ...[...this.levels].reverse()]) {
      const path = toPosix(relative(level.dir, absolute)) + (isDir ? '/' : '');
      // a path outside the level's directory (or the directory itself) is none of its business
      if (path === '/' || path.startsWith('../')) continue;
      const verdict = level.rules.test(path);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }
}

/**
 * The ignore files git would apply above `dir`: when `dir` is inside a git work tree, the
 * `.gitignore` of each directory from the top of the work tree down to `dir`'s parent, after the
 * work tree's `.git/info/exclude`. None outside a work tree.
 */
async function gitLevelsAbove(dir: string): Promise<Level[]> {
  // the pushed directory is the top of its work tree: only its exclude file lies outside the walk
  if (existsSync(join(dir, '.git'))) return infoExclude(dir);
  const chain: string[] = [];
  for (let at = dirname(dir); ; at = dirname(at)) {
    chain.unshift(at);
    if (existsSync(join(at, '.git'))) break;
    if (dirname(at) === at) return [];
  }
  const levels = await infoExclude(chain[0]!);
  for (const at of chain) {
    const text = await read(join(at, '.gitignore'));
    if (text !== '') levels.push({ dir: at, rules: ignore().add(text) });
  }
  return levels;
}

async function infoExclude(top: string): Promise<Level[]> {
  const text = await read(join(top, '.git', 'info', 'exclude'));
  return text === '' ? [] : [{ dir: top, rules: ignore().add(text) }];
}
