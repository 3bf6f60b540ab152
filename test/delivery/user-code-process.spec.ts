/**
 * In a process of its own (Jest catches unhandled rejections itself): user code failing in every way the module
 * calls it — async and sync hooks, interceptors, a decorator mapper — never reaches process 'unhandledRejection',
 * and the process runs to its end.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildLibraryForChildren, removeBuild, startChild } from '../support/crash-child.js';

describe('user code failing in a real process', () => {
  let build: string | undefined;

  beforeAll(() => {
    build = buildLibraryForChildren(['index.js', 'testing/index.js']);
  }, 120_000);
  afterAll(() => removeBuild(build));

  it("no failure of a hook, interceptor or mapper reaches process 'unhandledRejection'; every one is counted", async () => {
    const child = startChild(join('test/delivery/fixtures/user-code-child.mjs'), [build!]);
    const line = await child.waitForLine((text) => text.startsWith('{'), 30_000);

    expect(await child.exited).toBe(0);
    const { unhandled, stats } = JSON.parse(line) as { unhandled: string[]; stats: Record<string, number> };
    expect(unhandled).toEqual([]);
    expect(stats).toMatchObject({ delivered: 40, dropped: 10, invalid: 1, decoratorErrors: 5 });
    // a hook call per report: 10 drops, 1 invalid item, and every delivered batch
    expect(stats.hookErrors).toBeGreaterThanOrEqual(12);
    // both interceptors fail on every request: the batches and the direct call
    expect(stats.interceptorErrors % 2).toBe(0);
    expect(stats.interceptorErrors).toBeGreaterThanOrEqual(2 * (4 + 1));
  }, 60_000);
});
