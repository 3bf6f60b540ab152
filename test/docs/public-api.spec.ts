// The package's entry points against the README's "Public API" section: every name an entry exports is listed under
// that entry and has a doc comment, and every name listed there is exported by it. package.json's `exports` maps each
// entry to the build of the file checked here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { ROOT } from './readme-blocks.js';

/** Each entry's import path, its source, and the `exports` key of package.json that ships it. */
const ENTRIES = [
  { entry: 'nestjs-customerio', source: 'lib/index.ts', key: '.' },
  { entry: 'nestjs-customerio/stores', source: 'lib/stores/index.ts', key: './stores' },
  { entry: 'nestjs-customerio/redis', source: 'lib/redis/index.ts', key: './redis' },
  { entry: 'nestjs-customerio/testing', source: 'lib/testing/index.ts', key: './testing' },
  { entry: 'nestjs-customerio/health', source: 'lib/health/index.ts', key: './health' },
] as const;

/** The names the README lists under each entry: the backquoted identifiers after its bullet, up to the next one. */
function documentedNames(): Map<string, Set<string>> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Public API\n');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const names = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of readme.slice(start, end < 0 ? undefined : end).split('\n')) {
    const entry = /^- `(nestjs-customerio(?:\/\w+)?)`/.exec(line);
    if (entry) names.set(entry[1], (current = new Set()));
    if (!current) continue;
    for (const [, name] of line.matchAll(/`([A-Za-z_]\w*)`/g)) if (/[A-Z]/.test(name)) current.add(name);
  }
  return names;
}

/** What each entry exports, and the exported names that have no doc comment. */
function exportedNames(): Map<string, { names: Set<string>; undocumented: string[] }> {
  const program = ts.createProgram(
    ENTRIES.map(({ source }) => join(ROOT, source)),
    {
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      experimentalDecorators: true,
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const result = new Map<string, { names: Set<string>; undocumented: string[] }>();
  for (const { entry, source } of ENTRIES) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, source))!)!;
    const names = new Set<string>();
    const undocumented: string[] = [];
    for (const symbol of checker.getExportsOfModule(module)) {
      names.add(symbol.name);
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const documented =
        target.getDocumentationComment(checker).length > 0 ||
        (target.declarations ?? []).some((declaration) => ts.getJSDocCommentsAndTags(declaration).length > 0);
      if (!documented) undocumented.push(symbol.name);
    }
    result.set(entry, { names, undocumented });
  }
  return result;
}

describe('the public API', () => {
  const documented = documentedNames();
  const exported = exportedNames();

  it.each(ENTRIES.map(({ entry }) => entry))('%s: the README lists exactly what it exports', (entry) => {
    const listed = [...(documented.get(entry) ?? [])].sort();
    expect(listed).toEqual([...exported.get(entry)!.names].sort());
  });

  it.each(ENTRIES.map(({ entry }) => entry))('%s: every exported name has a doc comment', (entry) => {
    expect(exported.get(entry)!.undocumented).toEqual([]);
  });

  it('every CustomerIO… name the README shows is exported by an entry', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = new Set([...readme.matchAll(/\bCustomerIO[A-Z]\w*\b/g)].map(([name]) => name));
    const all = new Set([...exported.values()].flatMap(({ names }) => [...names]));
    expect([...shown].filter((name) => !all.has(name)).sort()).toEqual([]);
  });

  it('package.json ships every entry, each from the build of its source', () => {
    const { exports } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    for (const { key, source } of ENTRIES) {
      const built = source.replace(/^lib\//, './dist/').replace(/\.ts$/, '');
      expect(exports[key]).toEqual({ types: `${built}.d.ts`, default: `${built}.js` });
    }
  });

  it('the main entry stays small: what an application uses', () => {
    // NOTE: 45 before the Pipelines API, which added the `api` option's type and `group`'s options.
    expect(exported.get('nestjs-customerio')!.names.size).toBeLessThanOrEqual(47);
  });
});
