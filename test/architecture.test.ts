import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/repo-root.js';

/** Every `@sluice/<name>` a source file imports (static, dynamic and type imports alike). */
function sluiceImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]@sluice\/([\w-]+)/g)].map((m) => m[1]!);
}

/** Every package outside the repo a source file imports (`node:` built-ins and relative paths aside). */
function packageImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // npm names are lower case: a quoted word after "from" in prose ('SLPK') is not one
  const pattern =
    /(?<![.\w])(?:from\s+|import\s*\(\s*|import\s+)['"]((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.:-]*(?:\/[\w./-]*)?)['"]/g;
  const specifiers = [...text.matchAll(pattern)].map((m) => m[1]!);
  return specifiers
    .filter((name) => !name.startsWith('node:'))
    .map((name) => (name.startsWith('@') ? name.split('/').slice(0, 2) : name.split('/').slice(0, 1)).join('/'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/**
 * Which of our packages each part of the house may import (docs/architecture.md, "Packages and who may import whom").
 */
const allowed: Record<string, ReadonlySet<string>> = {
  'packages/core': new Set(),
  'packages/telemetry': new Set(),
  'packages/protocol': new Set(['core']),
  'packages/storage': new Set(['core']),
  'packages/repository': new Set(['core', 'storage']),
  'packages/queue': new Set(['core', 'protocol']),
  'packages/client': new Set(['core', 'protocol']),
  'packages/ingest': new Set(['core', 'protocol', 'storage', 'repository', 'queue', 'telemetry']),
  'apps/api': new Set(['core', 'protocol', 'storage', 'repository', 'queue', 'telemetry', 'ingest']),
  'apps/worker': new Set(['core', 'protocol', 'storage', 'repository', 'queue', 'telemetry', 'ingest']),
  // its `sluice` command (bin/) runs the client's subcommands too
  'apps/sluice': new Set([
    'core',
    'protocol',
    'storage',
    'repository',
    'queue',
    'telemetry',
    'ingest',
    'api',
    'worker',
    'client',
  ]),
};

describe('the house: who imports whom', () => {
  it('keeps apps/api and apps/worker apart, packages free of apps, and core free of everything', () => {
    const root = repoRoot();
    const broken: string[] = [];
    for (const [part, may] of Object.entries(allowed)) {
      for (const file of sourceFiles(join(root, part, 'src'))) {
        for (const target of sluiceImports(file))
          if (!may.has(target)) broken.push(`${relative(root, file)} imports @sluice/${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("hands the worker and the sweeper what they name, never the API's service bag (AppServices)", () => {
    const root = repoRoot();
    // the worker, the sweeper's package, and the entry's half that starts them both
    const files = [
      ...sourceFiles(join(root, 'apps/worker/src')),
      ...sourceFiles(join(root, 'packages/ingest/src')),
      join(root, 'apps/sluice/src/worker-side.ts'),
    ];
    const namesBag = (file: string) => /\bAppServices\b/.test(readFileSync(file, 'utf8'));
    const bagged = files.filter((file) => namesBag(file) || sluiceImports(file).includes('api'));
    expect(bagged.map((file) => relative(root, file))).toEqual([]);
  });

  it('knows every part of the house (a new package or app must be placed in the table above)', () => {
    const root = repoRoot();
    // a folder without a package.json is a leftover (e.g. a renamed package's gitignored dist/), not a part
    const parts = ['packages', 'apps'].flatMap((top) =>
      readdirSync(join(root, top))
        .filter((name) => existsSync(join(root, top, name, 'package.json')))
        .map((name) => `${top}/${name}`),
    );
    expect(parts.sort()).toEqual(Object.keys(allowed).sort());
  });
});

/** Dependencies loaded by name rather than imported: pino's transport target, the client's CLI loaded by bin/. */
const loadedByName: Record<string, readonly string[]> = {
  'apps/sluice': ['pino-pretty', '@sluice/client'],
};

describe('package.json: each part lists what it imports, and only that', () => {
  it('imports nothing its package.json leaves out (no reliance on hoisting) and lists nothing unused', () => {
    const root = repoRoot();
    const wrong: string[] = [];
    for (const part of Object.keys(allowed)) {
      const manifest = JSON.parse(readFileSync(join(root, part, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      const listed = new Set(Object.keys(manifest.dependencies ?? {}));
      const imported = new Set(sourceFiles(join(root, part, 'src')).flatMap(packageImports));
      for (const name of imported) if (!listed.has(name)) wrong.push(`${part} imports ${name}, not listed`);
      for (const name of listed)
        if (!imported.has(name) && !loadedByName[part]?.includes(name)) wrong.push(`${part} lists ${name}, unused`);
    }
    expect(wrong).toEqual([]);
  });

  it("runs the tests and the bench on the root's devDependencies, the workspaces and their part's own", () => {
    const root = repoRoot();
    const dependencies = (dir: string): string[] => {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
    };
    const everyTs = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : everyTs(path);
        return name.endsWith('.ts') ? [path] : [];
      });
    const parts = [
      { dir: '.', files: [...everyTs(join(root, 'test')), ...everyTs(join(root, 'bench'))] },
      ...Object.keys(allowed).map((dir) => ({
        dir,
        files: everyTs(join(root, dir, 'src')).filter((file) => file.endsWith('.test.ts')),
      })),
    ];
    const rootListed = dependencies('.');
    const unlisted = parts.flatMap(({ dir, files }) => {
      const listed = new Set([...rootListed, ...(dir === '.' ? [] : dependencies(dir))]);
      const imported = new Set(files.flatMap(packageImports));
      return [...imported]
        .filter((name) => !name.startsWith('@sluice/') && !listed.has(name))
        .map((n) => `${dir}: ${n}`);
    });
    expect(unlisted).toEqual([]);
  });
});

describe("@sluice/ingest's surface", () => {
  it('re-exports from its index only modules another part imports a name of', () => {
    const root = repoRoot();
    const everyTs = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : everyTs(path);
        return name.endsWith('.ts') ? [path] : [];
      });
    const outside = ['apps', 'packages', 'test', 'bench']
      .flatMap((dir) => everyTs(join(root, dir)))
      .filter((file) => !file.startsWith(join(root, 'packages/ingest/')));
    const imported = new Set(
      outside.flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'@sluice\/ingest'/g)]
          .flatMap((m) => m[1]!.split(','))
          .map(
            (name) =>
              name
                .trim()
                .replace(/^type\s+/, '')
                .split(/\s+as\s+/)[0]!,
          )
          .filter((name) => name !== ''),
      ),
    );
    const src = join(root, 'packages/ingest/src');
    const index = readFileSync(join(src, 'index.ts'), 'utf8');
    const unused = [...index.matchAll(/export \* from '\.\/([\w/-]+)\.js'/g)]
      .map((m) => m[1]!)
      .filter((module) => {
        const text = readFileSync(join(src, `${module}.ts`), 'utf8');
        const names = [...text.matchAll(/^export (?:async )?(?:function|const|class|interface|type) (\w+)/gm)];
        return !names.some((m) => imported.has(m[1]!));
      });
    // what only ingest's own files use is imported there by path: the index is what the apps call
    expect(unused).toEqual([]);
  });
});
