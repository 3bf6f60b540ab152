/**
 * `@nestjs/terminus` is an optional peer: in a process where it cannot be resolved, the main entry (and the stores and
 * testing entries) load, an application starts and delivers; only `nestjs-customerio/health` needs it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildLibraryForChildren, removeBuild, startChild } from '../support/crash-child.js';

describe('an application without @nestjs/terminus', () => {
  let build: string | undefined;

  beforeAll(() => {
    build = buildLibraryForChildren(['index.js', 'stores/index.js', 'testing/index.js', 'health/index.js']);
  }, 120_000);
  afterAll(() => removeBuild(build));

  it('starts and delivers with the main entry; the health entry is the one that needs terminus', async () => {
    const child = startChild(join('test/health/fixtures/without-terminus-child.mjs'), [build!]);
    const line = await child.waitForLine((text) => text.startsWith('{'), 30_000);
    expect(await child.exited).toBe(0);
    const result = JSON.parse(line) as {
      terminus: string;
      delivered: string[];
      stats: Record<string, unknown>;
      health: string;
    };
    expect(result.terminus).toMatch(/^missing: Cannot find package '@nestjs\/terminus'/);
    expect(result.delivered).toEqual(['started_without_terminus']);
    expect(result.stats).toMatchObject({ delivered: 1, queued: 0, circuit: 'closed', oldestQueuedAgeMs: 0 });
    expect(result.health).toMatch(/^missing: .*@nestjs\/terminus/);
  }, 60_000);
});
