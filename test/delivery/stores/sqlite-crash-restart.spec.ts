import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';

// NOTE: the children run the built library (Jest's ts-jest transform does not reach a child process),
// compiled once here into node_modules/.cache, where the project's node_modules resolve.
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../../..');
const buildDir = join(root, 'node_modules/.cache/nestjs-customerio-sqlite-crash');
const child = join(here, 'fixtures/sqlite-crash-child.mjs');

/** A running child, with its stdout lines as they come. */
interface Child {
  process: ChildProcess;
  lines: string[];
  stderr: string[];
  /** The exit code, once the process ended and its output was read. */
  exited: Promise<number | null>;
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

function startChild(args: string[]): Child {
  const processRef = spawn(process.execPath, [child, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: processRef.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const listener of listeners) listener();
  });
  processRef.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => processRef.on('close', (code) => resolveExit(code)));
  const waitForLine = (predicate: (line: string) => boolean, timeoutMs = 10_000) =>
    new Promise<string>((resolveLine, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found === undefined) return;
        cleanup();
        resolveLine(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`child: no such line within ${timeoutMs} ms; stdout: ${lines.slice(-5).join(' | ')}; stderr: ${stderr.join('')}`));
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(new Error(`child exited before the line; stdout: ${lines.slice(-5).join(' | ')}; stderr: ${stderr.join('')}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
        processRef.off('exit', onExit);
      };
      listeners.add(check);
      processRef.once('exit', onExit);
      check();
    });
  return { process: processRef, lines, stderr, exited, waitForLine };
}

async function kill9(target: Child): Promise<void> {
  target.process.kill('SIGKILL');
  await target.exited;
}

describe('SqliteQueueStore: kill -9 and restart', () => {
  let sandbox: CustomerIOSandbox;
  let dir: string;
  let path: string;
  const children: Child[] = [];

  beforeAll(() => {
    // Other files of lib may be mid-edit and fail to type-check: tsc still emits; what is needed is checked below.
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', buildDir], {
      cwd: root,
      encoding: 'utf8',
    });
    for (const file of ['index.js', 'delivery/stores/sqlite-queue.store.js']) {
      if (!existsSync(join(buildDir, file))) throw new Error(`the library did not build: ${file} missing in ${buildDir}`);
    }
  }, 60_000);
  afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
    dir = mkdtempSync(join(tmpdir(), 'cio-sqlite-crash-'));
    path = join(dir, 'queue.db');
  });
  afterEach(async () => {
    for (const running of children.splice(0)) if (running.process.exitCode === null) await kill9(running);
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const moduleOptions = (queue: Record<string, unknown>) =>
    JSON.stringify({
      ...sandbox.moduleOptions(),
      retry: { baseDelayMs: 2, maxDelayMs: 20 },
      queue: { flushIntervalMs: 20, maxBatchOperations: 10, maxInFlight: 2, shutdownTimeoutMs: 2_000, ...queue },
    });
  const run = (mode: string, ids: string[] = [], queue: Record<string, unknown> = {}) => {
    const started = startChild([buildDir, path, moduleOptions(queue), mode, JSON.stringify(ids)]);
    children.push(started);
    return started;
  };

  /** Restarts on the file and waits until the restarted child sent everything and exited cleanly. */
  async function restartAndDeliver(): Promise<void> {
    sandbox.clearFaults();
    const second = run('deliver');
    await second.waitForLine((line) => line.startsWith('delivered '), 10_000);
    expect(await second.exited).toBe(0);
  }

  /** Every id reached the sandbox exactly once (repeats, which the sandbox drops by id, are counted apart). */
  function expectEachOnce(expected: readonly string[]): void {
    const received = sandbox.events.map((event) => event.id);
    expect(received).toHaveLength(new Set(received).size);
    expect(new Set(received)).toEqual(new Set(expected));
  }

  it('delivers every event once by id after a kill -9 with events queued and batches in flight', async () => {
    const ids = Array.from({ length: 60 }, () => ulid());
    // The first batch is held long enough to be in flight at the kill, then processed anyway (so its
    // events come again after the restart, as duplicates); the others hang.
    sandbox.delay(300, { path: '/api/v2/batch', times: 1 }).hang({ path: '/api/v2/batch' });
    const first = run('enqueue', ids);
    await first.waitForLine((line) => line === 'in-flight');
    await kill9(first);

    await restartAndDeliver();
    expectEachOnce(ids);
    expect(sandbox.duplicateEvents).toBeLessThanOrEqual(10); // at most the delayed batch
  }, 20_000);

  it('keeps every event whose enqueue returned when killed in the middle of enqueueing', async () => {
    const ids = Array.from({ length: 400 }, () => ulid());
    sandbox.delay(50, { path: '/api/v2/batch' });
    const first = run('stream', ids);
    await first.waitForLine((line) => line === `enqueued ${ids[150]}`);
    await kill9(first);
    const confirmed = first.lines.filter((line) => line.startsWith('enqueued ')).map((line) => line.slice('enqueued '.length));

    await restartAndDeliver();
    const received = sandbox.events.map((event) => event.id!);
    expect(received).toHaveLength(new Set(received).size);
    // Every enqueue that returned was kept; at most the one being written at the kill is beyond them.
    for (const id of confirmed) expect(received).toContain(id);
    const extra = received.filter((id) => !confirmed.includes(id));
    expect(extra.length).toBeLessThanOrEqual(1);
    for (const id of extra) expect(ids).toContain(id);
  }, 20_000);
});
