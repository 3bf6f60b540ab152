// The README's options tables against the code: every option of CustomerIOModuleOptions (and of its `queue`, `retry`
// and `decorators`) has a row, and every range a row states is the range the module enforces at start-up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { CustomerIOConfigError } from '../../lib/index.js';
import { resolveCustomerIOOptions } from '../../lib/options/customerio-options.resolver.js';
import { ROOT } from './readme-blocks.js';

/** The options of each row of the README's tables: the backquoted names of its first cell. */
function documentedOptions(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n')) {
    const [, first, ...rest] = line.split('|');
    if (!line.startsWith('| `') || first === undefined) continue;
    for (const [, name] of first.matchAll(/`([\w.]+)`/g)) rows.set(name, rest.join('|'));
  }
  return rows;
}

/** The option paths CustomerIOModuleOptions declares, with those of `queue`, `retry` and `decorators`. */
function declaredOptions(): string[] {
  const file = join(ROOT, 'lib', 'interfaces', 'customerio-module-options.interface.ts');
  const program = ts.createProgram([file], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const options = checker
    .getExportsOfModule(checker.getSymbolAtLocation(source)!)
    .find((symbol) => symbol.name === 'CustomerIOModuleOptions')!;
  const paths: string[] = [];
  for (const property of checker.getDeclaredTypeOfSymbol(options).getProperties()) {
    paths.push(property.name);
    if (!['queue', 'retry', 'decorators'].includes(property.name)) continue;
    const type = checker.getNonNullableType(checker.getTypeOfSymbol(property));
    const objects = (type.isUnion() ? type.types : [type]).filter((member) => member.flags & ts.TypeFlags.Object);
    for (const child of objects.flatMap((member) => member.getProperties()))
      paths.push(`${property.name}.${child.name}`);
  }
  return paths;
}

/** `options` with `value` at `path` (`queue.maxInFlight`). */
function withOption(path: string, value: unknown): Record<string, unknown> {
  const options: Record<string, unknown> = { siteId: 'site', apiKey: 'key' };
  const keys = path.split('.');
  let target = options;
  for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
  target[keys.at(-1)!] = value;
  return options;
}

const accepts = (path: string, value: number): boolean => {
  try {
    resolveCustomerIOOptions(withOption(path, value) as never);
    return true;
  } catch (error) {
    if (error instanceof CustomerIOConfigError) return false;
    throw error;
  }
};

describe("the README's options tables", () => {
  const rows = documentedOptions();

  it('have a row for every option of the module, its queue, its retry policy and its decorators', () => {
    const declared = declaredOptions();
    expect(declared).toEqual(
      expect.arrayContaining(['siteId', 'decorators.person', 'queue.maxInFlight', 'retry.circuitBreaker']),
    );
    // NOTE: an object option is documented by the rows of its fields (`decorators.person`, …) or by a row of its own.
    const documented = (path: string): boolean =>
      rows.has(path) || declared.some((child) => child.startsWith(`${path}.`) && rows.has(child));
    expect(declared.filter((path) => !documented(path))).toEqual([]);
  });

  it('state the range the module enforces for each integer option, at both ends', () => {
    const ranges = [...rows].flatMap(([path, text]): { path: string; min: number; max?: number }[] => {
      const between = /from `(\d+)` to `(\d+)`/.exec(text);
      const atLeast = /\(≥ `?(\d+)`?\)/.exec(text);
      if (between) return [{ path, min: Number(between[1]), max: Number(between[2]) }];
      return atLeast ? [{ path, min: Number(atLeast[1]), max: undefined }] : [];
    });
    expect(ranges.map((range) => range.path)).toEqual(
      expect.arrayContaining(['queue.maxInFlight', 'queue.maxBatchBytes', 'queue.maxQueueBytes', 'retry.maxAttempts']),
    );

    const enforced = ranges.map(({ path, min, max }) => ({
      path,
      min: accepts(path, min) && !accepts(path, min - 1),
      max: max === undefined || (accepts(path, max) && !accepts(path, max + 1)),
      integer: !accepts(path, min + 0.5),
    }));
    expect(enforced).toEqual(ranges.map(({ path }) => ({ path, min: true, max: true, integer: true })));
  });
});
